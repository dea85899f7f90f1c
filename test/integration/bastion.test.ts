/**
 * Bastions on loopback: a second sshd plays the jump host. It lets root forward connections and
 * refuses forwarding for the sudo user, so a connection that fails through `SUDO_USER@bastion`
 * proves the traffic really goes through the bastion (a direct connection would succeed).
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SshConnection } from "../../lib/connection/ssh.js";
import { startSshd, SUDO_USER, type TestSshd } from "../helpers/sshd.js";
import { sshdSettings } from "../helpers/ssh-settings.js";

const target = inject("sshd");
let bastion: TestSshd;
let stopBastion: () => void;
/** known_hosts with the target's and the bastion's keys. */
let bothKnown: string;
const open: SshConnection[] = [];

beforeAll(async () => {
  ({ sshd: bastion, stop: stopBastion } = await startSshd([`Match User ${SUDO_USER}`, "    AllowTcpForwarding no"]));
  // The jump host is logged in to with the host's key, as the inventory gives one key.
  appendFileSync(join(bastion.dir, "authorized_keys"), readFileSync(`${target.clientKey}.pub`));
  bothKnown = join(bastion.dir, "both_known_hosts");
  writeFileSync(bothKnown, readFileSync(target.knownHosts, "utf8") + readFileSync(bastion.knownHosts, "utf8"));
});
afterAll(() => stopBastion?.());
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function through(sshArgs: string, knownHosts = bothKnown): SshConnection {
  const connection = new SshConnection(sshdSettings(target, "root", { ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts} ${sshArgs}` }));
  open.push(connection);
  return connection;
}

/** ssh -W through the bastion, checking its key, as a user's ProxyCommand would. */
const sshW = (user: string) => `ssh -W %h:%p -p ${bastion.port} -i ${target.clientKey} -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${bastion.knownHosts} ${user}@127.0.0.1`;

describe("ProxyJump", () => {
  it("reaches the host through the jump host, and only through it", async () => {
    const ssh = through(`-o ProxyJump=root@127.0.0.1:${bastion.port}`);
    expect((await ssh.run("id -un")).stdout).toBe("root\n");
    await expect(through(`-J ${SUDO_USER}@127.0.0.1:${bastion.port}`).run("true")).rejects.toThrow(
      new RegExp(`jump host ${SUDO_USER}@127.0.0.1:${bastion.port} cannot reach 127.0.0.1:${target.port}`),
    );
  });

  it("chains several hops", async () => {
    const hop = `root@127.0.0.1:${bastion.port}`;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => through(`-J ${hop},${hop}`).run(`echo ${i}`)));
    expect(results.map((r) => r.stdout)).toEqual(["0\n", "1\n", "2\n", "3\n", "4\n"]);
  });

  it("verifies the jump host's key like any host's", async () => {
    await expect(through(`-J root@127.0.0.1:${bastion.port}`, target.knownHosts).run("true")).rejects.toThrow(
      new RegExp(`the host key of \\[127\\.0\\.0\\.1\\]:${bastion.port} \\(ssh-ed25519 SHA256:.*\\) is not in ${target.knownHosts}`),
    );
  });

  it("ends the jump host's connection with the host's", async () => {
    const ssh = through(`-J root@127.0.0.1:${bastion.port}`);
    await ssh.run("true");
    const sessions = () => readFileSync("/proc/net/tcp", "utf8").split("\n").filter((l) => l.includes(`:${bastion.port.toString(16).toUpperCase().padStart(4, "0")} `) && / 01 /.test(l)).length;
    expect(sessions()).toBeGreaterThan(0);
    await ssh.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(sessions()).toBe(0);
  });
});

describe("ProxyCommand", () => {
  it("runs the command with %h and %p filled in and speaks SSH over its stdio", async () => {
    const ssh = through(`-o ProxyCommand="${sshW("root")}"`);
    expect((await ssh.run("echo through")).stdout).toBe("through\n");
  });

  it("says why when the command fails: its exit code and its stderr", async () => {
    await expect(through(`-o ProxyCommand="${sshW(SUDO_USER)}"`).run("true")).rejects.toThrow(/the ProxyCommand 'ssh -W 127\.0\.0\.1:\d+ .*' exited with code 255: .*(administratively prohibited|open failed)/s);
    await expect(through(`-o 'ProxyCommand=sh -c "echo no route to %h >&2; exit 3"'`).run("true")).rejects.toThrow(/exited with code 3: no route to 127\.0\.0\.1/);
    // Its input closed before it exits: the first write fails (EPIPE); the exit code still says why.
    await expect(through(`-o 'ProxyCommand=sh -c "exec 0<&-; echo no route to %h >&2; sleep 0.3; exit 4"'`).run("true")).rejects.toThrow(/exited with code 4: no route to 127\.0\.0\.1/);
  });
});
