/**
 * The lab's Kubernetes, from the bundle filled as an offline site fills it (bundle_source debian:
 * programs built from Debian's source package, images built from Debian material), on a lab
 * machine that can run Docker and kubelet, with no registry reachable:
 * - every program prints v1.20.2;
 * - the images load only when the node lacks them, and a container runs from each;
 * - a container asking for oom_score_adj -998 (what dockershim asks for every sandbox) runs;
 * - the lab's kubelet shims: /dev/kmsg and kubelet's kernel parameters, in the machine only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleVars } from "../../lib/bundle/bundle-vars.js";
import { installFromBundle, imagesFromBundle } from "../../lib/bundle/install-from-bundle.js";
import { defineSchema } from "../../lib/vars/schema.js";
import { bundleCommand } from "../../lib/cli/bundle-command.js";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { definePlaybook, defineRole } from "../../lib/runner/types.js";
import { dockerPlaybook } from "../../playbooks/docker.js";
import { preparePlaybook } from "../../playbooks/prepare.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting, statuses } from "../helpers/run.js";

const inventoryDir = mkdtempSync(join(tmpdir(), "ek-kbundle-inventory-"));
cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("kbundle", inventoryDir);
let lab: LabUpResult;
const machines = new LabSsh(() => lab.inventoryFile);
let node: string;

const kubernetesOnNodes = definePlaybook({
  name: "kubernetes programs and images",
  plays: [
    {
      name: "programs and images from the bundle",
      hosts: "kube_node",
      become: true,
      roles: [
        defineRole({
          name: "kubernetes-bundle",
          schema: defineSchema(bundleVars),
          tasks: [
            { name: "install the Kubernetes programs", action: ({ vars }) => installFromBundle(vars, "kubernetes") },
            { name: "load the images", action: ({ vars }) => imagesFromBundle(vars) },
          ],
        }),
      ],
    },
  ],
});

beforeAll(async () => {
  await labDown(config);
  lab = await labUp(config, 1, () => {}, { profile: "docker" });
  node = lab.machines[0]!.name;
  const lines: string[] = [];
  // The first fill may build Kubernetes (minutes on a cold cache); later ones reuse the build.
  expect(await bundleCommand(["-i", lab.inventoryFile, "--components", "docker,kubernetes,images"], (l) => lines.push(l))).toBe(0);
  expect(lines.join("\n")).toMatch(/kubernetes 1\.20\.2 amd64 .*from Debian source kubernetes 1\.20\.5\+really1\.20\.2/);
  for (const playbook of [preparePlaybook, dockerPlaybook]) {
    const run = await runCollecting(playbook, lab.inventoryFile);
    expect(run.exitCode, JSON.stringify(run.results.filter((r) => r.status === "failed"))).toBe(0);
  }
}, 1_800_000);

afterAll(async () => {
  await machines.closeAll();
  await labDown(config);
  rmSync(inventoryDir, { recursive: true, force: true });
});

describe("Kubernetes 1.20.2 from Debian's source, on a lab machine", () => {
  it("installs every program, each printing v1.20.2, and loads the images only when missing", async () => {
    const first = await runCollecting(kubernetesOnNodes, lab.inventoryFile);
    expect(first.exitCode, JSON.stringify(first.results.filter((r) => r.status === "failed"))).toBe(0);
    expect(statuses(first.results, "load the images")).toEqual([`${node}:changed`]);
    const ssh = machines.connect(node);
    for (const program of ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"]) {
      expect((await ssh.run(`/usr/local/bin/${program} --version`)).stdout.trim(), program).toBe("Kubernetes v1.20.2");
    }
    expect((await ssh.run("/usr/local/bin/kubectl version --client --short")).stdout.trim()).toBe("Client Version: v1.20.2");
    // Statically linked: they run on any Linux host, not only Debian's.
    expect((await ssh.run("head -c 4 /usr/local/bin/kubelet | od -c | head -1; grep -c ld-linux /usr/local/bin/kubelet || true")).stdout).toMatch(/E {3}L {3}F[\s\S]*\n0\n$/);
    const second = await runCollecting(kubernetesOnNodes, lab.inventoryFile);
    expect(second.stats[node]).toMatchObject({ changed: 0, failed: 0 });
  }, 600_000);

  it("runs a container from each bundled image with no registry reachable", async () => {
    const ssh = machines.connect(node);
    const images = (await ssh.run("sudo docker image ls --format '{{.Repository}}:{{.Tag}}' | sort")).stdout.trim().split("\n");
    expect(images).toEqual(["busybox:1.35", "k8s.gcr.io/pause:3.2"]);
    const hello = await ssh.run("sudo docker run --rm --pull=never --network=none busybox:1.35 sh -c 'echo hello from $(busybox | head -1 | cut -d\" \" -f2)'");
    expect(hello.stderr).toBe("");
    expect(hello.stdout.trim()).toBe("hello from v1.35.0");
    const pause = await ssh.run("sudo docker run -d --pull=never --network=none k8s.gcr.io/pause:3.2");
    expect(pause.code, pause.stderr).toBe(0);
    const id = pause.stdout.trim();
    expect((await ssh.run(`sleep 1; sudo docker inspect -f '{{.State.Running}} {{.Config.User}}' ${id}`)).stdout.trim()).toBe("true 65535:65535");
    expect((await ssh.run(`sudo docker rm -f ${id}`)).code).toBe(0);
  }, 120_000);

  it("runs a container that asks for oom_score_adj -998, as dockershim does for every sandbox", async () => {
    const ssh = machines.connect(node);
    const run = await ssh.run("sudo docker run --rm --pull=never --oom-score-adj=-998 busybox:1.35 cat /proc/self/oom_score_adj");
    expect(run.code, run.stderr).toBe(0);
    // The lab's runc wrapper clamps it: the machine lacks CAP_SYS_RESOURCE to lower it.
    expect(run.stdout.trim()).toBe("0");
  }, 120_000);

  it("gives kubelet /dev/kmsg and its kernel parameters inside the machine, leaving the host's alone", async () => {
    const hostValues = ["vm/overcommit_memory", "kernel/panic", "kernel/panic_on_oops"].map((k) => readFileSync(`/proc/sys/${k}`, "utf8"));
    const ssh = machines.connect(node);
    const inside = await ssh.run("sudo sh -c 'test -c /dev/kmsg && echo kmsg; cat /proc/sys/vm/overcommit_memory /proc/sys/kernel/panic /proc/sys/kernel/panic_on_oops; echo 1 > /proc/sys/vm/overcommit_memory && echo writable'");
    expect(inside.stdout).toBe("kmsg\n1\n10\n1\nwritable\n");
    expect(["vm/overcommit_memory", "kernel/panic", "kernel/panic_on_oops"].map((k) => readFileSync(`/proc/sys/${k}`, "utf8"))).toEqual(hostValues);
  }, 60_000);
});
