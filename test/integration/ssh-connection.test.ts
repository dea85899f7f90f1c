/** The SSH connection against a real sshd: commands, stdin, become, host keys, failures. */
import { afterEach, describe, expect, inject, it } from "vitest";
import { copyFileSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { SshConnection } from "../../lib/connection/ssh.js";
import type { Connection } from "../../lib/connection/types.js";
import { SUDO_PASSWORD, SUDO_PASSWORD_USER, SUDO_USER } from "../helpers/sshd.js";
import { sshdSettings } from "../helpers/ssh-settings.js";

const sshd = inject("sshd");
const open: Connection[] = [];
function connect(...args: Parameters<typeof sshdSettings> extends [unknown, ...infer R] ? R : never): SshConnection {
  const connection = new SshConnection(sshdSettings(sshd, ...args));
  open.push(connection);
  return connection;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe("ssh connection", () => {
  it("runs commands and returns stdout, stderr and exit code", async () => {
    const ssh = connect();
    const result = await ssh.run("echo out; echo err >&2; exit 3");
    expect(result).toMatchObject({ stdout: "out\n", stderr: "err\n", code: 3 });
  });

  it("passes binary stdin through unchanged", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0]);
    const result = await connect().run("od -An -tx1", { stdin: bytes });
    expect(result.stdout.trim().split(/\s+/)).toEqual(["00", "01", "02", "ff", "0a", "0d", "00"]);
  });

  it("multiplexes many concurrent commands over one session, beyond MaxSessions", async () => {
    const ssh = connect();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ssh.run(`sleep 0.05; echo ${i}`)));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    expect(ssh.commandCount).toBe(30);
  });

  it("keeps every exit code with many connections and fast commands at once (MaxStartups, coalesced packets)", async () => {
    const connections = Array.from({ length: 30 }, () => connect(SUDO_USER));
    const results = await Promise.all(connections.map((c, i) => c.run(`exit ${i % 5}`)));
    expect(results.map((r) => r.code)).toEqual(connections.map((_, i) => i % 5));
  });

  it("sends every command over the same TCP connection", async () => {
    const ssh = connect();
    const peers = await Promise.all(Array.from({ length: 12 }, () => ssh.run("echo $SSH_CONNECTION")));
    expect(new Set(peers.map((r) => r.stdout)).size).toBe(1);
  });

  it("logs in with a password (ansible_password) when no key is given", async () => {
    const ssh = new SshConnection({ ...sshdSettings(sshd, SUDO_PASSWORD_USER, { ansible_password: SUDO_PASSWORD }), privateKeyFile: undefined });
    open.push(ssh);
    expect((await ssh.run("id -un")).stdout.trim()).toBe(SUDO_PASSWORD_USER);
  });

  it("says which methods failed when authentication fails", async () => {
    const ssh = new SshConnection({ ...sshdSettings(sshd, SUDO_PASSWORD_USER, { ansible_password: "wrong-password" }), privateKeyFile: undefined });
    open.push(ssh);
    await expect(ssh.run("true")).rejects.toThrow(/authentication failed \(tried .*password\)/);
  });

  it("becomes root through passwordless sudo", async () => {
    const ssh = connect(SUDO_USER, { ansible_become: true });
    expect((await ssh.run("id -un")).stdout.trim()).toBe("root");
    expect((await ssh.run("id -un", { become: false })).stdout.trim()).toBe(SUDO_USER);
  });

  it("becomes root with a sudo password, keeps the command's stdin, and never shows the prompt", async () => {
    const ssh = connect(SUDO_PASSWORD_USER, { ansible_become: "yes", ansible_become_password: SUDO_PASSWORD });
    const result = await ssh.run("id -un; cat", { stdin: "payload line\n" });
    expect(result.stdout).toBe("root\npayload line\n");
    expect(result.stderr).toBe("");
  });

  it("sends a configured sudo password only when sudo asks: never into a command or its input", async () => {
    const ssh = connect(SUDO_USER, { ansible_become: true, ansible_become_password: "unneeded-pw-123" });
    const result = await ssh.run("id -un; cat", { stdin: "the upload\n" });
    expect(result).toMatchObject({ stdout: "root\nthe upload\n", stderr: "", code: 0 });
    const large = await ssh.run("head -c 20", { stdin: Buffer.concat([Buffer.from("first bytes exactly"), Buffer.alloc(300 * 1024, 1)]) });
    expect(large.stdout).toBe("first bytes exactly\u0001");
  });

  it("fails clearly with a wrong sudo password", async () => {
    const ssh = connect(SUDO_PASSWORD_USER, { ansible_become: true, ansible_become_password: "wrong" });
    const result = await ssh.run("id -un");
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Sorry, try again|incorrect password/);
  });

  it("refuses a host whose key is not in known_hosts, and names the way out", async () => {
    const empty = join(sshd.dir, "known_hosts.empty");
    writeFileSync(empty, "");
    const ssh = connect("root", { ansible_ssh_common_args: `-o UserKnownHostsFile=${empty}` });
    await expect(ssh.run("true")).rejects.toThrow(/is not in .*known_hosts.empty.*--accept-new-host-keys/);
  });

  it("accepts and records a new host key only when asked to", async () => {
    const file = join(sshd.dir, "known_hosts.new");
    writeFileSync(file, "");
    const ssh = connect("root", { ansible_ssh_common_args: `-o UserKnownHostsFile=${file}` }, { hostKeyPolicy: "accept-new" });
    expect((await ssh.run("echo hi")).stdout).toBe("hi\n");
    expect(readFileSync(file, "utf8")).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
  });

  it("refuses a changed host key even with accept-new", async () => {
    const file = join(sshd.dir, "known_hosts.changed");
    const otherKey = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    writeFileSync(file, `# rebuilt host\n[127.0.0.1]:${sshd.port} ssh-ed25519 ${otherKey}\n`);
    const ssh = connect("root", { ansible_ssh_common_args: `-o UserKnownHostsFile=${file}` }, { hostKeyPolicy: "accept-new" });
    await expect(ssh.run("true")).rejects.toThrow(/HOST KEY CHANGED for \[127\.0\.0\.1\]:\d+: .*known_hosts\.changed:2 .*ssh-keygen -R/);
  });

  it("matches hashed known_hosts entries", async () => {
    const file = join(sshd.dir, "known_hosts.hashed");
    copyFileSync(sshd.knownHosts, file);
    const { execFileSync } = await import("node:child_process");
    execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
    expect(readFileSync(file, "utf8")).toMatch(/^\|1\|/);
    const ssh = connect("root", { ansible_ssh_common_args: `-o UserKnownHostsFile=${file}` });
    expect((await ssh.run("echo ok")).stdout).toBe("ok\n");
  });

  it("reports a closed port as unreachable", async () => {
    const ssh = new SshConnection({ ...sshdSettings(sshd), port: 1, connectTimeoutMs: 2000 });
    open.push(ssh);
    await expect(ssh.run("true")).rejects.toMatchObject({ name: "UnreachableError" });
  });

  it("refuses a private key that others can read, like OpenSSH", async () => {
    const loose = join(sshd.dir, "loose_key");
    copyFileSync(sshd.clientKey, loose);
    chmodSync(loose, 0o644);
    const ssh = connect("root", { ansible_ssh_private_key_file: loose });
    await expect(ssh.run("true")).rejects.toThrow(/mode 0644.*chmod 600/);
  });

  describe("the long-lived shell that runs commands one after another", () => {
    it("keeps commands apart: syntax errors, exit, cd and stdin readers do not leak into the next", async () => {
      const ssh = connect(SUDO_USER, { ansible_become: true });
      expect((await ssh.run("if then fi 'unclosed")).code).not.toBe(0);
      expect((await ssh.run("cd /tmp; exit 7")).code).toBe(7);
      expect((await ssh.run("pwd")).stdout).not.toBe("/tmp\n");
      expect((await ssh.run("cat; echo after")).stdout).toBe("after\n");
      expect((await ssh.run("set -e; false; echo unreachable")).code).toBe(1);
      expect((await ssh.run("printf 'no newline'")).stdout).toBe("no newline");
      expect((await ssh.run("echo out; echo err >&2")).stderr).toBe("err\n");
    });

    it("passes binary output and large inputs (which go over a channel of their own) unchanged", async () => {
      const ssh = connect(SUDO_USER, { ansible_become: true });
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      expect((await ssh.run("cat", { stdin: bytes })).stdoutBytes.equals(bytes)).toBe(true);
      const large = Buffer.alloc(600 * 1024, 7);
      const before = ssh.commandCount;
      expect((await ssh.run("wc -c", { stdin: large })).stdout.trim()).toBe(String(large.length));
      // Streamed on a channel of its own: one round trip (the benchmark's metric), whatever the size.
      expect(ssh.commandCount - before).toBe(1);
    });

    it("recovers after a command times out", async () => {
      const ssh = connect(SUDO_USER, { ansible_become: true });
      await expect(ssh.run("sleep 5", { timeoutMs: 300 })).rejects.toThrow(/timed out/);
      expect((await ssh.run("echo again")).stdout).toBe("again\n");
    });
  });
});
