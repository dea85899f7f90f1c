/**
 * install_method: packages - the alternative to the bundle: etcd and Docker from the OS's package
 * manager (apt here, from a local repository of Debian's packages, since the lab reaches no
 * mirror). site.ts's stages up to Docker (prepare, PKI, etcd, Docker; the Kubernetes stages install
 * from the bundle only and refuse install_method packages) on three fresh machines give the same
 * cluster: etcd healthy over TLS with Debian's etcd (whose package starts the service on install:
 * it starts easy-kube's unit), Docker with overlay2; a re-run reports changed=0.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { definePlaybook } from "../../lib/runner/types.js";
import { dockerPlaybook } from "../../playbooks/docker.js";
import { etcdPlaybook } from "../../playbooks/etcd.js";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { preparePlaybook } from "../../playbooks/prepare.js";
import { buildLocalAptRepo, offerRepo } from "../helpers/local-apt-repo.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting } from "../helpers/run.js";

const inventoryDir = mkdtempSync(join(tmpdir(), "ek-pkgs-inventory-"));
cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("pkgs", inventoryDir);
const packagesVars = { install_method: "packages", docker_packages: ["docker.io"], docker_version: "20.10.24", prepare_docker_repo: false };
let lab: LabUpResult;
const machines = new LabSsh(() => lab.inventoryFile);
/** What install_method packages covers: the stages before Kubernetes, in site.ts's order. */
const stages = definePlaybook({ name: "stages", plays: [...preparePlaybook.plays, ...pkiPlaybook.plays, ...etcdPlaybook.plays, ...dockerPlaybook.plays] });

beforeAll(async () => {
  await labDown(config);
  lab = await labUp(config, 3, () => {}, { profile: "docker" });
  const repo = buildLocalAptRepo(["etcd-server", "etcd-client", "docker.io"], { withDependencies: true });
  for (const machine of lab.machines) offerRepo(repo, machine.root);
}, 600_000);

afterAll(async () => {
  await machines.closeAll();
  await labDown(config);
  rmSync(inventoryDir, { recursive: true, force: true });
});

describe("site.ts's stages up to Docker with install_method packages", () => {
  it("installs etcd and Docker with apt and gives a healthy TLS cluster, then re-runs with changed=0", async () => {
    const first = await runCollecting(stages, lab.inventoryFile, { extraVars: packagesVars });
    expect(first.exitCode, JSON.stringify(first.results.filter((r) => r.status === "failed"))).toBe(0);
    for (const m of lab.machines) {
      const ssh = machines.connect(m.name);
      const health = await ssh.run(
        "ETCDCTL_API=3 /usr/bin/etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/ssl/etcd-ca.pem --cert=/etc/kubernetes/ssl/etcd-client.pem --key=/etc/kubernetes/ssl/etcd-client-key.pem member list",
      );
      expect(health.stdout.trim().split("\n"), health.stderr).toHaveLength(3);
      expect((await ssh.run("dpkg-query -W -f '${Status}' etcd-server docker.io")).stdout).toBe("install ok installedinstall ok installed");
      expect((await ssh.run("docker info --format '{{.Driver}} {{.CgroupDriver}}'; ls /usr/local/bin")).stdout).toBe("overlay2 cgroupfs\n");
    }
    const again = await runCollecting(stages, lab.inventoryFile, { extraVars: packagesVars });
    expect(again.results.filter((r) => r.status === "changed").map((r) => `${r.host}: ${r.task}`)).toEqual([]);
  }, 600_000);
});
