/**
 * The lab's docker profile: a machine that runs Docker as a real host would (docker.io from
 * Debian, installed with apt from a local repository since the lab reaches no mirror): overlay2
 * storage on a real folder, cgroupfs, a container with a memory limit, and a published port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionSettings } from "../../lib/connection/settings.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp } from "../../lib/lab/lab.js";
import { line, packages } from "../../lib/ops/index.js";
import { buildLocalAptRepo, placeRepo } from "../helpers/local-apt-repo.js";
import { runCollecting } from "../helpers/run.js";

const config = labConfig("dock", mkdtempSync(join(tmpdir(), "ek-dock-inventory-")));
let inventoryFile: string;
let ssh: SshConnection;

beforeAll(async () => {
  await labDown(config);
  const lab = await labUp(config, 1, () => {}, { profile: "docker" });
  inventoryFile = lab.inventoryFile;
  placeRepo(buildLocalAptRepo(["docker.io", "busybox-static"], { withDependencies: true }), lab.machines[0]!.root, "srv/easy-kube-repo");
  const inventory = loadInventory([inventoryFile]);
  ssh = new SshConnection(connectionSettings("dock-1", inventory.hostVars("dock-1").vars));
}, 300_000);

afterAll(async () => {
  await ssh?.close();
  await labDown(config);
});

describe("a lab machine with the docker profile", () => {
  it("installs docker.io with apt and runs it with overlay2 and cgroupfs", async () => {
    const run = await runCollecting(
      {
        name: "docker",
        plays: [
          {
            name: "docker",
            hosts: "lab",
            gatherFacts: false,
            tasks: [
              { name: "repository", action: () => line({ path: "/etc/apt/sources.list.d/easy-kube-test.list", line: "deb [trusted=yes] file:/srv/easy-kube-repo ./", create: true }) },
              { name: "docker", action: () => packages({ names: ["docker.io", "busybox-static"], updateCache: true }) },
            ],
          },
        ],
      },
      inventoryFile,
    );
    expect(run.exitCode).toBe(0);
    const info = await ssh.run("systemctl is-active docker; docker info --format '{{.Driver}} {{.CgroupDriver}}'");
    expect(info.stdout).toBe("active\noverlay2 cgroupfs\n");
  }, 300_000);

  it("runs a container with a memory limit, and publishes a port", async () => {
    const image = await ssh.run(
      "mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/ && for a in sh cat httpd; do ln -sf busybox /tmp/img/bin/$a; done && tar -C /tmp/img -c . | docker import - easy-kube/busybox:test",
    );
    expect(image.code, image.stderr).toBe(0);
    const limited = await ssh.run("docker run --rm --memory 64m easy-kube/busybox:test /bin/cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
    expect(limited.stdout.trim(), limited.stderr).toBe(String(64 * 1024 * 1024));
    const served = await ssh.run(
      "mkdir -p /tmp/www && echo served > /tmp/www/index.html && docker run -d --name web -p 8080:80 -v /tmp/www:/www easy-kube/busybox:test /bin/httpd -f -p 80 -h /www >/dev/null && sleep 1 && curl -s http://127.0.0.1:8080/index.html; docker rm -f web >/dev/null",
    );
    expect(served.stdout).toBe("served\n");
  }, 120_000);
});
