/**
 * Restarts that always happen, on three lab machines that can run Docker (prepare, PKI, etcd and
 * Docker from a bundle filled from Debian's packages, static etcd bootstrap):
 * - a new etcd build in the bundle is installed and the members restart one after another, each
 *   then running the new program (not the replaced file, which /proc shows as deleted);
 * - a new dockerd build restarts Docker one node at a time (restart_throttle's default), and a
 *   container started before keeps running through the restart (live-restore);
 * - then a re-run reports changed=0.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleCommand } from "../../lib/cli/bundle-command.js";
import { readBundleLock, writeBundleLock } from "../../lib/bundle/bundle-lock.js";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { sha256OfFile } from "../../lib/ops/local-file.js";
import { definePlaybook } from "../../lib/runner/types.js";
import { dockerPlaybook } from "../../playbooks/docker.js";
import { etcdPlaybook } from "../../playbooks/etcd.js";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { preparePlaybook } from "../../playbooks/prepare.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting, statuses } from "../helpers/run.js";

const inventoryDir = mkdtempSync(join(tmpdir(), "ek-restarts-inventory-"));
cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("restart", inventoryDir);
const bundleDir = join(inventoryDir, ".bundle");
let lab: LabUpResult;
const machines = new LabSsh(() => lab.inventoryFile);
const connect = (host: string) => machines.connect(host);
const stages = definePlaybook({ name: "stages", plays: [...preparePlaybook.plays, ...pkiPlaybook.plays, ...etcdPlaybook.plays, ...dockerPlaybook.plays] });

/** A different build of a bundled program: the same ELF with bytes after its end (it still runs), its new sha256 in the lock. */
function rebuildInBundle(component: "etcd" | "docker", version: string, file: string): void {
  const path = join(bundleDir, component, version, "amd64", file);
  appendFileSync(path, `\n# another build, made by ${import.meta.filename}\n`);
  const entry = readBundleLock(bundleDir).components.find((c) => c.component === component && c.version === version)!;
  writeBundleLock(bundleDir, { ...entry, files: { ...entry.files, [file]: sha256OfFile(path) } });
}

/** When the unit's current process started, and when the unit became active (systemd's monotonic clock, shared by the machines). */
async function unitTimes(unit: string): Promise<{ host: string; started: number; active: number }[]> {
  return Promise.all(
    lab.machines.map(async (m) => {
      const out = (await connect(m.name).run(`systemctl show ${unit} -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic --value`)).stdout.trim().split("\n").map(Number);
      return { host: m.name, started: out[0]!, active: out[1]! };
    }),
  );
}

/** Each host's restart began only after the previous host's unit was active again. */
function expectOneAfterAnother(times: { started: number; active: number }[]): void {
  const sorted = [...times].sort((a, b) => a.started - b.started);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.started).toBeGreaterThan(sorted[i - 1]!.active);
}

beforeAll(async () => {
  await labDown(config);
  lab = await labUp(config, 3, () => {}, { profile: "docker" });
  // Only what these stages install (the lab's group_vars may ask for Kubernetes, built from source: minutes of Go).
  expect(await bundleCommand(["-i", lab.inventoryFile, "--components", "etcd,docker"], () => {})).toBe(0);
  const first = await runCollecting(stages, lab.inventoryFile);
  expect(first.exitCode, JSON.stringify(first.results.filter((r) => r.status === "failed"))).toBe(0);
}, 600_000);

afterAll(async () => {
  await machines.closeAll();
  await labDown(config);
  rmSync(inventoryDir, { recursive: true, force: true });
});

describe("a new program version restarts its service", () => {
  it("a new etcd build: installed, and the members restart one at a time onto it", async () => {
    rebuildInBundle("etcd", "3.4.23", "etcd");
    const upgraded = await runCollecting(etcdPlaybook, lab.inventoryFile);
    expect(upgraded.exitCode, JSON.stringify(upgraded.results.filter((r) => r.status === "failed"))).toBe(0);
    const everyHost = (status: string) => lab.machines.map((m) => `${m.name}:${status}`);
    expect(statuses(upgraded.results, "install etcd and etcdctl from the bundle")).toEqual(everyHost("changed"));
    expect(statuses(upgraded.results, "restart etcd one member at a time")).toEqual(everyHost("changed"));
    expectOneAfterAnother(await unitTimes("etcd"));
    for (const m of lab.machines) {
      // A process whose program file was replaced shows it as "(deleted)".
      const exe = await connect(m.name).run("readlink /proc/$(systemctl show etcd -p MainPID --value)/exe");
      expect(exe.stdout).toBe("/usr/local/bin/etcd\n");
    }
  }, 300_000);

  it("a new dockerd build: Docker restarts one node at a time, and a running container survives", async () => {
    for (const m of lab.machines) {
      const started = await connect(m.name).run(
        // An image of the machine's own sleep and the libraries it loads (the lab has no registry).
        "mkdir -p /tmp/img && for f in /usr/bin/sleep $(ldd /usr/bin/sleep | grep -o '/[^ ]*'); do cp --parents -L $f /tmp/img/; done && tar -C /tmp/img -c . | docker import - easy-kube/sleep:test >/dev/null && docker run -d --name survivor easy-kube/sleep:test /usr/bin/sleep 100000 >/dev/null",
      );
      expect(started.code, started.stderr).toBe(0);
    }
    const pidsBefore = await Promise.all(lab.machines.map(async (m) => (await connect(m.name).run("docker inspect -f '{{.State.Pid}}' survivor")).stdout));
    rebuildInBundle("docker", "20.10.24", "dockerd");
    const upgraded = await runCollecting(dockerPlaybook, lab.inventoryFile);
    expect(upgraded.exitCode, JSON.stringify(upgraded.results.filter((r) => r.status === "failed"))).toBe(0);
    expect(statuses(upgraded.results, "install Docker from the bundle")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    expect(statuses(upgraded.results, "restart docker")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    expectOneAfterAnother(await unitTimes("docker"));
    for (const [i, m] of lab.machines.entries()) {
      const ssh = connect(m.name);
      expect((await ssh.run("readlink /proc/$(systemctl show docker -p MainPID --value)/exe")).stdout).toBe("/usr/local/bin/dockerd\n");
      // The same container process, still running: the daemon restarted around it.
      expect((await ssh.run("docker inspect -f '{{.State.Running}} {{.State.Pid}}' survivor")).stdout).toBe(`true ${pidsBefore[i]}`);
      expect((await ssh.run("docker info --format '{{.LiveRestoreEnabled}}'")).stdout).toBe("true\n");
    }
  }, 300_000);

  it("then a re-run reports changed=0", async () => {
    const again = await runCollecting(stages, lab.inventoryFile);
    expect(again.exitCode).toBe(0);
    expect(again.results.filter((r) => r.status === "changed").map((r) => `${r.host}: ${r.task}`)).toEqual([]);
  }, 300_000);
});
