/**
 * A real OpenSSH server on loopback for the integration tests: its own host key and config, a
 * client key authorised for root and for two sudo users (one passwordless, one with a password),
 * and a known_hosts file holding the server's key. Needs root, sshd and sudo (installed by .ci/run).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SUDO_USER = "ektest";
export const SUDO_PASSWORD_USER = "ektestpw";
export const SUDO_PASSWORD = "s3cret-Sudo-pw";

export interface TestSshd {
  readonly dir: string;
  readonly port: number;
  readonly clientKey: string;
  readonly knownHosts: string;
  readonly hostPublicKey: string;
}

/** `extraConfig`: more sshd_config lines (after the defaults, so `Match` blocks may follow). */
export async function startSshd(extraConfig: readonly string[] = []): Promise<{ sshd: TestSshd; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "easy-kube-sshd-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_ed25519")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "easy-kube-test", "-f", join(dir, "client_key")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), { mode: 0o644 });
  const hostPublicKey = readFileSync(join(dir, "host_ed25519.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_ed25519")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "UsePAM yes",
      "StrictModes no",
      "MaxSessions 10",
      "Subsystem sftp internal-sftp",
      ...extraConfig,
    ].join("\n") + "\n",
  );
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  ensureUser(SUDO_USER, "NOPASSWD: ALL");
  ensureUser(SUDO_PASSWORD_USER, "ALL");
  execFileSync("chpasswd", { input: `${SUDO_PASSWORD_USER}:${SUDO_PASSWORD}\n` });
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await waitForPort(port, () => log);
  return {
    sshd: { dir, port, clientKey: join(dir, "client_key"), knownHosts: join(dir, "known_hosts"), hostPublicKey },
    stop: () => {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ensureUser(name: string, sudoRule: string): void {
  try {
    execFileSync("id", [name], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--create-home", "--shell", "/bin/bash", name]);
  }
  writeFileSync(`/etc/sudoers.d/easy-kube-${name}`, `${name} ALL=(ALL) ${sudoRule}\n`, { mode: 0o440 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createServer().listen(port, "127.0.0.1");
      socket.on("listening", () => socket.close(() => resolve(false)));
      socket.on("error", () => resolve(true));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not start on port ${port}:\n${log()}`);
}
