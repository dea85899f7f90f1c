/**
 * One lab machine: an overlay of the shared base (its own upper layer holds everything it
 * changes), its identity files (hostname, static address, the lab's SSH key for root and the sudo
 * user), and a systemd-nspawn process booting systemd as PID 1, launched from its own cgroups.
 */
import { execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shellCommand } from "../connection/quote.js";
import { EasyKubeError } from "../errors.js";
import { LAB_USER, machineAddress, machineName, type LabConfig } from "./lab-config.js";
import { createControllerCgroups, createMachineCgroups, processesInCgroups, removeMachineCgroups } from "./machine-cgroups.js";

export interface Machine {
  readonly name: string;
  readonly address: string;
  readonly dir: string;
  /** The merged root filesystem the machine boots from. */
  readonly root: string;
}

export function machineAt(config: LabConfig, index: number): Machine {
  const name = machineName(config, index);
  const dir = join(config.stateDir, "machines", name);
  return { name, address: machineAddress(config, index), dir, root: join(dir, "root") };
}

function isMounted(path: string): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[4] === path);
}

/** Mounts the machine's overlay and writes its identity; safe to call on a prepared machine. */
export function prepareMachine(config: LabConfig, machine: Machine, base: string, publicKey: string, peers: readonly Machine[]): void {
  for (const sub of ["upper", "work", "root"]) mkdirSync(join(machine.dir, sub), { recursive: true });
  if (!isMounted(machine.root)) {
    execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${base},upperdir=${join(machine.dir, "upper")},workdir=${join(machine.dir, "work")}`, machine.root]);
  }
  const root = machine.root;
  writeFileSync(join(root, "etc/hostname"), `${machine.name}\n`);
  writeFileSync(
    join(root, "etc/hosts"),
    ["127.0.0.1 localhost", `127.0.1.1 ${machine.name}`, "::1 localhost ip6-localhost ip6-loopback", ...peers.map((p) => `${p.address} ${p.name}`)].join("\n") + "\n",
  );
  mkdirSync(join(root, "etc/systemd/network"), { recursive: true });
  writeFileSync(
    join(root, "etc/systemd/network/10-host0.network"),
    `[Match]\nName=host0\n\n[Network]\nAddress=${machine.address}/24\nGateway=${config.subnet}.1\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
  );
  writeAuthorizedKey(root, "/root", publicKey, 0, 0);
  const [uid, gid] = userIds(root, LAB_USER);
  writeAuthorizedKey(root, `/home/${LAB_USER}`, publicKey, uid, gid);
}

function writeAuthorizedKey(root: string, home: string, publicKey: string, uid: number, gid: number): void {
  const dir = join(root, home, ".ssh");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "authorized_keys"), publicKey, { mode: 0o600 });
  chownSync(dir, uid, gid);
  chownSync(join(dir, "authorized_keys"), uid, gid);
}

function userIds(root: string, user: string): [number, number] {
  const entry = readFileSync(join(root, "etc/passwd"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  if (!entry) throw new EasyKubeError(`the lab base has no user ${user}; remove the cached base to rebuild it`);
  const [, , uid, gid] = entry.split(":");
  return [Number(uid), Number(gid)];
}

/** The running systemd-nspawn process of a machine, found by its root folder (not only its pid file). */
export function machinePid(machine: Machine): number | undefined {
  return nspawnPids(machine)[0];
}

function nspawnPids(machine: Machine): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv[0]?.endsWith("systemd-nspawn") && argv.includes(machine.root)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * The machine's PID 1 (its systemd), a child of nspawn. Killing nspawn alone leaves the container
 * running; killing its init ends every process in it and its network namespace, as a power cut.
 */
function containerInit(nspawnPid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return children.length > 0 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command inside a booted machine through its namespaces (no SSH needed), as root.
 * Used to prepare what only the running machine can: cgroup mounts made writable for Docker.
 */
export function runInMachine(machine: Machine, command: string): string {
  const nspawn = nspawnPids(machine)[0];
  const init = nspawn === undefined ? undefined : containerInit(nspawn);
  if (init === undefined) throw new EasyKubeError(`lab machine ${machine.name} is not running`);
  return execFileSync("nsenter", ["--target", String(init), "--mount", "--uts", "--ipc", "--net", "--pid", "--", "/bin/sh", "-c", command], { encoding: "utf8" });
}

/** Cuts the machine's power: its init and every process in it are killed at once. */
export function powerOffMachine(machine: Machine): void {
  for (const pid of nspawnPids(machine)) {
    const init = containerInit(pid);
    if (init !== undefined) signal(init, "SIGKILL");
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** `basic` machines run services; `docker` machines can also run Docker (see dockerNspawnArgs). */
export type LabProfile = "basic" | "docker";

/**
 * What Docker inside a machine needs (measured, see the lab notes): the keyring and bpf system
 * calls, every capability, and real folders for /var/lib/docker and /var/lib/containerd (overlay2
 * cannot sit on the machine's own overlayfs).
 */
function dockerNspawnArgs(machine: Machine): string[] {
  const args = ["--system-call-filter=@keyring", "--system-call-filter=bpf", "--capability=all"];
  for (const dir of ["docker", "containerd"]) {
    const hostDir = join(machine.dir, dir);
    mkdirSync(hostDir, { recursive: true });
    args.push(`--bind=${hostDir}:/var/lib/${dir}`);
  }
  return args;
}

/** Starts systemd-nspawn in the background; the machine boots on its own. */
export function bootMachine(config: LabConfig, machine: Machine, profile: LabProfile = "basic"): number {
  const cgroups = [...createMachineCgroups(config.name, machine.name), ...(profile === "docker" ? createControllerCgroups(config.name, machine.name) : [])];
  const nspawn = shellCommand(
    "systemd-nspawn",
    "--boot",
    "--register=no",
    "--keep-unit",
    "--quiet",
    "-D",
    machine.root,
    "-M",
    machine.name,
    `--network-bridge=${config.bridge}`,
    "--resolv-conf=off",
    "--timezone=off",
    "--link-journal=no",
    "--console=read-only",
    ...(profile === "docker" ? dockerNspawnArgs(machine) : []),
  );
  const joinCgroups = cgroups.map((dir) => `echo $$ > ${join(dir, "cgroup.procs")}`).join(" && ");
  const log = openSync(join(machine.dir, "console.log"), "w");
  const child = spawn("sh", ["-c", `${joinCgroups ? `${joinCgroups} && ` : ""}exec ${nspawn}`], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new EasyKubeError(`could not start systemd-nspawn for ${machine.name}`);
  writeFileSync(join(machine.dir, "pid"), String(child.pid));
  return child.pid;
}

/** Shuts the machine down (SIGTERM makes nspawn stop its systemd cleanly), then unmounts it. */
export async function stopMachine(config: LabConfig, machine: Machine): Promise<void> {
  for (const pid of nspawnPids(machine)) {
    signal(pid, "SIGTERM");
    if (!(await exited(pid, 15_000))) {
      const init = containerInit(pid);
      if (init !== undefined) signal(init, "SIGKILL");
      signal(pid, "SIGKILL");
      await exited(pid, 5_000);
    }
  }
  // Whatever still runs inside (a container whose nspawn was killed outlives it) is ended too:
  // every process of the machine is in its cgroups.
  for (const pid of processesInCgroups(config.name, machine.name)) signal(pid, "SIGKILL");
  await new Promise((r) => setTimeout(r, 100));
  rmSync(join(machine.dir, "pid"), { force: true });
  if (isMounted(machine.root)) {
    try {
      execFileSync("umount", [machine.root], { stdio: "ignore" });
    } catch {
      execFileSync("umount", ["-l", machine.root], { stdio: "ignore" });
    }
  }
  removeMachineCgroups(config.name, machine.name);
}

/** Forgets everything the machine changed: its upper layer goes, the base stays. */
export function wipeMachine(machine: Machine): void {
  rmSync(machine.dir, { recursive: true, force: true });
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The machine's SSH host key, made by its sshd at first boot (read from its disk, not the network). */
export function hostPublicKey(machine: Machine): string | undefined {
  const file = join(machine.root, "etc/ssh/ssh_host_ed25519_key.pub");
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
}
