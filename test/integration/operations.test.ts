/**
 * Every operation against a real host over SSH (the test sshd, as a sudo user with become): the
 * plan finds the changes, apply makes them, and a new plan finds nothing left to do. Operations
 * that would change this machine itself (sysctl, hostname, packages, systemd) are planned here
 * and applied on the lab machines' end-to-end tests instead.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { SshConnection } from "../../lib/connection/ssh.js";
import * as ops from "../../lib/ops/index.js";
import { SUDO_USER } from "../helpers/sshd.js";
import { sshdSettings } from "../helpers/ssh-settings.js";
import { converge, liveTarget } from "../helpers/converge.js";

const sshd = inject("sshd");
let ssh: SshConnection;
let dir: string;

beforeAll(() => {
  ssh = new SshConnection(sshdSettings(sshd, SUDO_USER, { ansible_become: true }));
  dir = mkdtempSync(join(tmpdir(), "ek-ops-"));
});
afterAll(() => ssh.close());

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, "0");

describe("files", () => {
  it("file: directories with mode and owner, links, absent", async () => {
    const path = join(dir, "conf.d");
    const { first, second } = await converge(ssh, ops.file({ path, mode: "0750", owner: SUDO_USER }));
    expect(first.changes).toEqual([`create directory ${path}`]);
    expect(second.changes).toEqual([]);
    expect(mode(path)).toBe("0750");
    const link = join(dir, "current");
    expect((await converge(ssh, ops.file({ path: link, state: "link", src: path }))).second.changes).toEqual([]);
    expect((await converge(ssh, ops.file({ path: link, state: "absent" }))).first.changes).toEqual([`remove link ${link}`]);
    expect(existsSync(link)).toBe(false);
  });

  it("stat: what is at a path, for register; a path with a space, links followed for exists", async () => {
    const target = liveTarget(ssh);
    const read = async (path: string) => (await ops.stat(path).plan(target)).data;
    const spaced = join(dir, "kubelet client.pem");
    writeFileSync(spaced, "x");
    execFileSync("ln", ["-s", join(dir, "nowhere"), join(dir, "dangling")]);
    expect(await read(spaced)).toEqual({ exists: true, type: "file" });
    expect(await read(dir)).toEqual({ exists: true, type: "directory" });
    // A dangling link is there, but what it names is not (kubelet's kubelet-client-current.pem is a link).
    expect(await read(join(dir, "dangling"))).toEqual({ exists: false, type: "link" });
    execFileSync("ln", ["-s", spaced, join(dir, "current")]);
    expect(await read(join(dir, "current"))).toEqual({ exists: true, type: "link" });
    expect(await read(join(dir, "not there"))).toEqual({ exists: false, type: "absent" });
    expect((await ops.stat(spaced).plan(target)).changes).toEqual([]);
  });

  it("copy: uploads only when content differs, fixes mode alone with chmod, keeps a backup", async () => {
    const dest = join(dir, "app.conf");
    const { first, second } = await converge(ssh, ops.copy({ dest, content: "a = 1\n", mode: "0640" }));
    expect(first.changes).toEqual([`create ${dest}`]);
    expect(second.changes).toEqual([]);
    expect(statSync(dest).uid).toBe(0); // written through become
    writeFileSync(dest, "edited by hand\n");
    const update = await converge(ssh, ops.copy({ dest, content: "a = 2\n", mode: "0600", backup: true }));
    expect(update.first.changes).toEqual([`update ${dest}`, "mode 0640 -> 0600"]);
    expect(update.first.diffs?.[0]).toMatchObject({ before: "edited by hand\n", after: "a = 2\n" });
    expect(readFileSync(dest, "utf8")).toBe("a = 2\n");
    expect(mode(dest)).toBe("0600");
    const backups = execFileSync("sh", ["-c", `ls ${dir} | grep '^app.conf\\..*~$'`], { encoding: "utf8" });
    expect(backups.trim().split("\n")).toHaveLength(1);
  });

  it("copy: a failed validation leaves the old file untouched and no temp file behind", async () => {
    const dest = join(dir, "validated.conf");
    writeFileSync(dest, "good\n");
    const plan = await ops.copy({ dest, content: "bad\n", validate: "grep -q good %s" }).plan(liveTarget(ssh));
    await expect(plan.apply!()).rejects.toThrow(/exit code/);
    expect(readFileSync(dest, "utf8")).toBe("good\n");
    expect(execFileSync("ls", ["-a", dir], { encoding: "utf8" })).not.toContain(".easy-kube.");
  });

  it("copy: secrets are marked so their diff is never shown", async () => {
    const plan = await ops.copy({ dest: join(dir, "key.pem"), content: "PRIVATE", secret: true, mode: "0600" }).plan(liveTarget(ssh, { diff: true }));
    expect(plan.diffs?.[0]?.secret).toBe(true);
  });

  it("template: renders with the vars, and names file and line of an undefined variable", async () => {
    const src = join(dir, "unit.hbs");
    writeFileSync(src, "[Service]\nExecStart={{bin}} --port={{port}}\n");
    const dest = join(dir, "unit.service");
    const { second } = await converge(ssh, ops.template({ src, dest, vars: { bin: "/usr/bin/x", port: 1 } }));
    expect(second.changes).toEqual([]);
    expect(readFileSync(dest, "utf8")).toBe("[Service]\nExecStart=/usr/bin/x --port=1\n");
    await expect(ops.template({ src, dest, vars: { bin: "/x" } }).plan(liveTarget(ssh))).rejects.toThrow(`${src}:2: 'port' is not defined`);
  });

  it("line and block: edit part of a file, idempotently", async () => {
    const path = join(dir, "hosts");
    writeFileSync(path, "127.0.0.1 localhost\nSELINUX=enforcing\n");
    expect((await converge(ssh, ops.line({ path, regexp: "^SELINUX=", line: "SELINUX=disabled" }))).second.changes).toEqual([]);
    expect((await converge(ssh, ops.line({ path, line: "10.0.0.1 etcd1", insertAfter: "^127" }))).second.changes).toEqual([]);
    expect((await converge(ssh, ops.block({ path, block: "10.0.0.2 etcd2\n10.0.0.3 etcd3" }))).second.changes).toEqual([]);
    expect((await converge(ssh, ops.block({ path, block: "10.0.0.2 etcd2" }))).second.changes).toEqual([]);
    expect(readFileSync(path, "utf8")).toBe(
      "127.0.0.1 localhost\n10.0.0.1 etcd1\nSELINUX=disabled\n# BEGIN EASY-KUBE MANAGED BLOCK\n10.0.0.2 etcd2\n# END EASY-KUBE MANAGED BLOCK\n",
    );
    expect((await converge(ssh, ops.line({ path, regexp: "etcd1", state: "absent" }))).second.changes).toEqual([]);
    expect(readFileSync(path, "utf8")).not.toContain("etcd1");
  });

  it("fetch: copies a host's file to the control machine only when it differs", async () => {
    const src = join(dir, "remote-token");
    writeFileSync(src, "t0ken\n");
    const dest = join(dir, "fetched", "token");
    const { first, second } = await converge(ssh, ops.fetch({ src, dest, mode: 0o600 }));
    expect(first.changes).toHaveLength(1);
    expect(second.changes).toEqual([]);
    expect(readFileSync(dest, "utf8")).toBe("t0ken\n");
  });

  it("unarchive and installBinary: from local files, checksum-verified, sent only when changed", async () => {
    const bundle = join(dir, "bundle");
    mkdirSync(join(bundle, "pkg", "bin"), { recursive: true });
    writeFileSync(join(bundle, "pkg", "bin", "tool"), "#!/bin/sh\necho tool\n");
    execFileSync("tar", ["-czf", join(bundle, "pkg.tar.gz"), "-C", bundle, "pkg"]);
    const dest = join(dir, "opt");
    const { first, second } = await converge(ssh, ops.unarchive({ src: join(bundle, "pkg.tar.gz"), dest, stripComponents: 1 }));
    expect(first.changes).toHaveLength(1);
    expect(second.changes).toEqual([]);
    expect(readFileSync(join(dest, "bin", "tool"), "utf8")).toContain("echo tool");

    const binary = join(bundle, "pkg", "bin", "tool");
    const sha256 = createHash("sha256").update(readFileSync(binary)).digest("hex");
    const installed = join(dir, "tool");
    expect((await converge(ssh, ops.installBinary({ src: binary, dest: installed, sha256 }))).second.changes).toEqual([]);
    expect(mode(installed)).toBe("0755");
    await expect(ops.installBinary({ src: binary, dest: installed, sha256: "0".repeat(64) }).plan(liveTarget(ssh))).rejects.toThrow(/refusing to install/);
  });
});

describe("commands", () => {
  it("runs unless a guard says it is not needed", async () => {
    const marker = join(dir, "initialized");
    const creates = ops.command({ cmd: `touch ${marker}`, creates: marker });
    const { first, second } = await converge(ssh, creates);
    expect(first.changes).toEqual([`run: touch ${marker}`]);
    expect(second.changes).toEqual([]);
    expect((await ops.command({ cmd: "false", unless: "test -e " + marker }).plan(liveTarget(ssh))).changes).toEqual([]);
    expect((await ops.command({ cmd: "false", removes: join(dir, "nope") }).plan(liveTarget(ssh))).changes).toEqual([]);
  });

  it("quotes argv commands word by word and reports failures with rc and output", async () => {
    const plan = await ops.command({ cmd: ["printf", "%s|", "a b", "it's", "$HOME"] }).plan(liveTarget(ssh));
    expect(await plan.apply!()).toMatchObject({ data: { stdout: "a b|it's|$HOME|" } });
    const failing = await ops.command({ cmd: "echo boom >&2; exit 7" }).plan(liveTarget(ssh));
    await expect(failing.apply!()).rejects.toThrow(/rc=7.*\n.*boom/);
  });

  it("readOnly commands run in the plan and never change", async () => {
    const plan = await ops.command({ cmd: "id -un", readOnly: true }).plan(liveTarget(ssh, { check: true }));
    expect(plan.changes).toEqual([]);
    expect(plan.data).toMatchObject({ rc: 0, stdout: "root\n" });
  });

  it("waitFor: returns at once for an open port, skips in check mode, fails after its timeout", async () => {
    expect((await ops.waitFor({ port: sshd.port }).plan(liveTarget(ssh))).changes).toEqual([]);
    const closed = ops.waitFor({ port: 1, timeoutSeconds: 1 });
    expect((await closed.plan(liveTarget(ssh, { check: true }))).skipped).toMatch(/not ready now/);
    await expect(closed.plan(liveTarget(ssh))).rejects.toThrow(/was not ready after 1 s/);
  });

  it("waitFor readyForSeconds: ready only after passing without a break; a flapping probe never is", async () => {
    // Each probe appends a line; the count of lines tells how many probes ran.
    const probes = join(dir, "probes");
    writeFileSync(probes, "");
    await ops.waitFor({ command: `echo x >> ${probes}`, readyForSeconds: 2 }).plan(liveTarget(ssh));
    expect(readFileSync(probes, "utf8").split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(3);
    // Passes on every other probe: the count starts again at each failure.
    const flapping = join(dir, "flapping");
    writeFileSync(flapping, "");
    const alternate = `n=$(wc -l < ${flapping}); echo x >> ${flapping}; [ $((n % 2)) -eq 0 ]`;
    await expect(ops.waitFor({ command: alternate, timeoutSeconds: 1, readyForSeconds: 2 }).plan(liveTarget(ssh))).rejects.toThrow(/not 2 s in a row/);
    expect(readFileSync(flapping, "utf8").split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(3);
  });
});

describe("accounts", () => {
  it("group and user: created, then left alone; groups appended", async () => {
    const name = `ekop${process.pid % 10000}`;
    expect((await converge(ssh, ops.group({ name: `${name}g`, system: true }))).second.changes).toEqual([]);
    const { first, second } = await converge(ssh, ops.user({ name, system: true, shell: "/usr/sbin/nologin", groups: [`${name}g`] }));
    expect(first.changes).toEqual([`create user ${name}`]);
    expect(second.changes).toEqual([]);
    expect(execFileSync("id", ["-Gn", name], { encoding: "utf8" })).toContain(`${name}g`);
    expect((await converge(ssh, ops.user({ name, state: "absent" }))).second.changes).toEqual([]);
    expect((await converge(ssh, ops.group({ name: `${name}g`, state: "absent" }))).second.changes).toEqual([]);
  });
});

describe("host settings, planned on this machine (applied in the lab)", () => {
  it("reads live state: packages, sysctl, modules, swap, SELinux, hostname", async () => {
    const target = liveTarget(ssh, { check: true });
    expect((await ops.packages({ names: ["openssh-server", "sudo"] }).plan(target)).changes).toEqual([]);
    expect((await ops.packages({ names: ["easy-kube-no-such-package"] }).plan(target)).changes).toEqual(["install easy-kube-no-such-package"]);
    const forward = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
    const sysctl = await ops.sysctl({ values: { "net.ipv4.ip_forward": forward }, file: join(dir, "sysctl.conf") }).plan(target);
    expect(sysctl.changes).toEqual([`persist in ${join(dir, "sysctl.conf")}`]);
    await expect(ops.sysctl({ values: { "net.easykube.none": 1 } }).plan(target)).rejects.toThrow(/net.easykube.none not found/);
    expect((await ops.kernelModule({ name: "overlay", persist: false }).plan(target)).changes).toEqual(overlayPresent() ? [] : ["load overlay"]);
    const { active, fstabLines } = swapState();
    expect((await ops.swapOff().plan(target)).changes).toEqual([...(active > 0 ? [`swapoff (${active} active)`] : []), ...(fstabLines > 0 ? ["comment out swap in /etc/fstab"] : [])]);
    const selinuxChanges = (await ops.selinux("disabled").plan(target)).changes;
    if (!existsSync("/etc/selinux/config") && !existsSync("/sys/fs/selinux")) expect(selinuxChanges).toEqual([]);
    const current = execFileSync("hostname", { encoding: "utf8" }).trim();
    expect((await ops.hostname(current).plan(target)).changes).toEqual(current === readFileSync("/etc/hostname", "utf8").trim() ? [] : [expect.stringContaining("/etc/hostname")]);
  });

  it.skipIf(pid1IsSystemd())("says clearly when systemd is not running", async () => {
    await expect(ops.systemd({ name: "ssh", state: "started" }).plan(liveTarget(ssh))).rejects.toThrow(/systemd is not running on this host/);
  });

  it.runIf(pid1IsSystemd())("reads a unit's state when systemd is running", async () => {
    await expect(ops.systemd({ name: "ssh", state: "started" }).plan(liveTarget(ssh, { check: true }))).resolves.toHaveProperty("changes");
  });
});

// What this machine is, read rather than assumed: the tests run on containers and booted hosts.
function overlayPresent(): boolean {
  const modules = existsSync("/proc/modules") ? readFileSync("/proc/modules", "utf8") : "";
  return /^overlay /m.test(modules) || existsSync("/sys/module/overlay");
}

function swapState(): { active: number; fstabLines: number } {
  const active = readFileSync("/proc/swaps", "utf8").split("\n").slice(1).filter((line) => line.trim()).length;
  const fstab = existsSync("/etc/fstab") ? readFileSync("/etc/fstab", "utf8") : "";
  return { active, fstabLines: fstab.split("\n").filter((line) => /^\s*[^#\s]\S*\s+\S+\s+swap\s/.test(line)).length };
}

function pid1IsSystemd(): boolean {
  return readFileSync("/proc/1/comm", "utf8").trim() === "systemd";
}
