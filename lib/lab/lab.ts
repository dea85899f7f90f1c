/**
 * The lab: N booted Debian machines on a private bridge, reachable over SSH exactly as real servers
 * are, with a generated inventory. `up` is idempotent (running machines are kept, missing ones
 * booted, extra ones removed), `reset` returns machines to the clean base, `down` removes
 * everything but the cached base.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";
import { mapLimited } from "../util/semaphore.js";
import { ensureBaseImage } from "./base-image.js";
import { MAX_MACHINES, type LabConfig } from "./lab-config.js";
import { buildLocalAptRepo, offerRepo } from "./lab-apt-repo.js";
import { removeLabInventory, writeLabInventory } from "./lab-inventory.js";
import { ensureLabNetwork, removeLabNetwork } from "./lab-network.js";
import { processesInCgroups, removeControllerCgroups, removeLabCgroups } from "./machine-cgroups.js";
import { installRuncWrapper, KUBELET_SHIMS_COMMAND } from "./kubelet-shims.js";
import { bootMachine, hostPublicKey, machineAt, machinePid, powerOffMachine, prepareMachine, runInMachine, stopMachine, wipeMachine, type LabProfile, type Machine } from "./machine.js";
import { labPreflight } from "./preflight.js";

export interface LabMachineStatus {
  readonly name: string;
  readonly address: string;
  readonly running: boolean;
  readonly sshReachable: boolean;
}

export interface LabUpResult {
  readonly machines: readonly Machine[];
  readonly inventoryFile: string;
  readonly privateKey: string;
}

const BOOT_TIMEOUT_MS = 90_000;
const BOOTS_AT_ONCE = 16;

export interface LabUpOptions {
  /** `docker`: machines that can run Docker. A lab keeps the profile it was created with. */
  readonly profile?: LabProfile;
  /** How many machines (the first ones) the inventory puts in kube_master. @default 1 */
  readonly masters?: number;
  /** Debian packages the machines can install with apt: the lab offers them (and what they depend on) from a local repository. */
  readonly packages?: readonly string[];
}

export async function labUp(config: LabConfig, count: number, log: (line: string) => void = () => {}, options: LabUpOptions = {}): Promise<LabUpResult> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_MACHINES) throw new EasyKubeError(`a lab has 1 to ${MAX_MACHINES} machines, not '${count}'`);
  const masters = options.masters ?? 1;
  if (!Number.isInteger(masters) || masters < 1 || masters > count) throw new EasyKubeError(`a lab of ${count} machines has 1 to ${count} masters, not '${masters}'`);
  labPreflight();
  ensureInotifyInstances(count, log);
  const base = ensureBaseImage(config, log);
  ensureLabNetwork(config);
  const privateKey = ensureLabKey(config);
  const publicKey = readFileSync(`${privateKey}.pub`, "utf8");
  const machines = Array.from({ length: count }, (_, i) => machineAt(config, i));

  const extras = existingMachines(config).filter((m) => !machines.some((x) => x.name === m.name));
  if (extras.length > 0) log(`removing ${extras.map((m) => m.name).join(", ")}`);
  await mapLimited(extras, extras.length || 1, async (extra) => {
    await stopMachine(config, extra);
    wipeMachine(extra);
  });
  const profile = labProfile(config, options.profile);
  const toBoot = machines.filter((m) => machinePid(m) === undefined);
  const repo = options.packages?.length ? buildLocalAptRepo(options.packages, { withDependencies: true }) : undefined;
  let hostKeys: string[];
  try {
    // Machines kept from an earlier `up` get the packages too (apt reads the source on its next update).
    if (repo) for (const machine of machines.filter((m) => !toBoot.includes(m))) offerRepo(repo, machine.root);
    if (toBoot.length > 0) log(`booting ${toBoot.length > 6 ? `${toBoot.length} machines` : toBoot.map((m) => m.name).join(", ")}`);
    // On a small host, many systemds starting at once starve each other: a bounded number boot at a time.
    hostKeys = await mapLimited(machines, BOOTS_AT_ONCE, async (machine) => {
      if (!toBoot.includes(machine)) return waitForMachine(machine, undefined);
      prepareMachine(config, machine, base, publicKey, machines);
      if (repo) offerRepo(repo, machine.root);
      if (profile === "docker") installRuncWrapper(machine.root);
      const key = await waitForMachine(machine, bootMachine(config, machine, profile));
      if (profile === "docker") {
        // nspawn mounts the cgroup controllers read-only; Docker must create cgroups below its own.
        runInMachine(machine, "for c in /sys/fs/cgroup/*/; do [ -e \"$c/cgroup.procs\" ] && mount -o remount,bind,rw \"$c\" 2>/dev/null; done; true");
        runInMachine(machine, KUBELET_SHIMS_COMMAND);
      }
      return key;
    });
  } finally {
    if (repo) rmSync(repo, { recursive: true, force: true });
  }
  const inventoryFile = writeLabInventory(config, machines, hostKeys, privateKey, masters);
  return { machines, inventoryFile, privateKey };
}

export async function labDown(config: LabConfig, log: (line: string) => void = () => {}): Promise<void> {
  const machines = existingMachines(config);
  await mapLimited(machines, machines.length || 1, async (machine) => {
    await stopMachine(config, machine);
    wipeMachine(machine);
  });
  if (machines.length > 0) log(`removed ${machines.map((m) => m.name).join(", ")}`);
  // Anything of this lab still running (a machine whose folder is gone, an interrupted boot) ends here.
  const leftovers = processesInCgroups(config.name);
  for (const pid of leftovers) process.kill(pid, "SIGKILL");
  if (leftovers.length > 0) await new Promise((r) => setTimeout(r, 300));
  removeLabCgroups(config.name);
  removeControllerCgroups(config.name);
  removeLabNetwork(config);
  removeLabInventory(config);
  rmSync(config.stateDir, { recursive: true, force: true });
}

/** Machines back to the clean base (their upper layers wiped), then booted again. */
export async function labReset(config: LabConfig, log: (line: string) => void = () => {}): Promise<LabUpResult> {
  const machines = existingMachines(config);
  if (machines.length === 0) throw new EasyKubeError(`lab '${config.name}' has no machines; start it with: easy-kube lab up`);
  await mapLimited(machines, machines.length, async (machine) => {
    await stopMachine(config, machine);
    wipeMachine(machine);
  });
  log(`reset ${machines.map((m) => m.name).join(", ")}`);
  return labUp(config, machines.length, log);
}

export async function labStatus(config: LabConfig): Promise<LabMachineStatus[]> {
  return Promise.all(
    existingMachines(config).map(async (m) => {
      const running = machinePid(m) !== undefined;
      return { name: m.name, address: m.address, running, sshReachable: running && (await portOpen(m.address, 22, 3000)) };
    }),
  );
}

/** Stops one machine abruptly, as a power cut would (for failure tests); `labUp` boots it again. */
export async function labPowerOff(config: LabConfig, name: string): Promise<void> {
  const machine = existingMachines(config).find((m) => m.name === name);
  if (!machine) throw new EasyKubeError(`lab '${config.name}' has no machine ${name}`);
  powerOffMachine(machine);
  const deadline = Date.now() + 10_000;
  while (machinePid(machine) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function existingMachines(config: LabConfig): Machine[] {
  const dir = join(config.stateDir, "machines");
  if (!existsSync(dir)) return [];
  const all = Array.from({ length: MAX_MACHINES }, (_, i) => machineAt(config, i));
  return all.filter((m) => existsSync(m.dir));
}

/** The lab's profile, recorded when it is created; asking for another one of a running lab is an error. */
function labProfile(config: LabConfig, wanted: LabProfile | undefined): LabProfile {
  const file = join(config.stateDir, "profile");
  const recorded = existsSync(file) ? (readFileSync(file, "utf8").trim() as LabProfile) : undefined;
  if (recorded && wanted && recorded !== wanted && existingMachines(config).length > 0) {
    throw new EasyKubeError(`lab '${config.name}' runs the ${recorded} profile; run 'easy-kube lab down${config.name === "default" ? "" : ` --name ${config.name}`}' first to change it`);
  }
  const profile = wanted ?? recorded ?? "basic";
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, profile + "\n");
  return profile;
}

function ensureLabKey(config: LabConfig): string {
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const key = join(config.stateDir, "id_ed25519");
  if (!existsSync(key)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `easy-kube-lab-${config.name}`, "-f", key]);
  return key;
}

/** Waits until the machine has made its host key and its sshd answers; returns the key. */
async function waitForMachine(machine: Machine, launched: number | undefined): Promise<string> {
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    // Just after launch the process is still the shell that joins the cgroups, not yet nspawn.
    if (launched === undefined ? machinePid(machine) === undefined : !alive(launched)) {
      const console = existsSync(join(machine.dir, "console.log")) ? readFileSync(join(machine.dir, "console.log"), "utf8").slice(-2000) : "";
      throw new EasyKubeError(`lab machine ${machine.name} stopped while booting:\n${console}`);
    }
    const key = hostPublicKey(machine);
    if (key && (await portOpen(machine.address, 22, 500))) return key;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new EasyKubeError(`lab machine ${machine.name} did not answer on ${machine.address}:22 within ${BOOT_TIMEOUT_MS / 1000} s; see ${join(machine.dir, "console.log")}`);
}

/**
 * Every machine's systemd holds several inotify instances, and the limit is per user on the host
 * (usually 128): past about 20 machines systemd fails with "Too many open files". It is raised for
 * the running kernel only, never lowered, and the change is reported.
 */
const INOTIFY_LIMIT = "/proc/sys/fs/inotify/max_user_instances";
const INOTIFY_PER_MACHINE = 8;

function ensureInotifyInstances(count: number, log: (line: string) => void): void {
  const current = Number(readFileSync(INOTIFY_LIMIT, "utf8"));
  const needed = 128 + INOTIFY_PER_MACHINE * count;
  if (current >= needed) return;
  writeFileSync(INOTIFY_LIMIT, String(needed));
  log(`raised fs.inotify.max_user_instances from ${current} to ${needed} for ${count} machines (until reboot)`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
