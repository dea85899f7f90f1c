/**
 * Each machine is launched from its own cgroup, in the named systemd hierarchy and in the unified
 * one: without that, every nspawn shares one payload cgroup and the machines' services collide
 * (measured, see the lab notes). Hierarchies this host does not have are skipped.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const HIERARCHIES = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"];
const CGROUP_ROOT = "/sys/fs/cgroup";

export function machineCgroupDirs(lab: string, machine: string): string[] {
  return HIERARCHIES.filter((h) => existsSync(join(h, "cgroup.procs"))).map((h) => join(h, `easy-kube-${lab}`, machine));
}

export function createMachineCgroups(lab: string, machine: string): string[] {
  const dirs = machineCgroupDirs(lab, machine);
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  return dirs;
}

/**
 * Every process in a machine's cgroups (its nspawn, its init and everything the init started), or
 * with no machine named, in the whole lab's.
 */
export function processesInCgroups(lab: string, machine?: string): number[] {
  const pids = new Set<number>();
  const collect = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const line of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n")) if (line.trim()) pids.add(Number(line));
    for (const entry of readdirSync(dir)) if (statSync(join(dir, entry)).isDirectory()) collect(join(dir, entry));
  };
  const roots = machine ? machineCgroupDirs(lab, machine) : HIERARCHIES.map((h) => join(h, `easy-kube-${lab}`));
  for (const dir of roots) collect(dir);
  return [...pids];
}

/**
 * For machines that run Docker: a folder of the machine's own in every cgroup v1 controller
 * (memory, cpu, pids, ...), nested under the launching process's cgroup there, so that Docker in
 * the machine can create and limit containers. Returns the folders to join before nspawn starts.
 */
export function createControllerCgroups(lab: string, machine: string): string[] {
  const own = new Map(
    readFileSync("/proc/self/cgroup", "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [, controllers = "", path = "/"] = line.split(":");
        return [controllers, path] as const;
      }),
  );
  const dirs: string[] = [];
  for (const [controllers, path] of own) {
    if (!controllers || controllers.startsWith("name=")) continue;
    const mount = join(CGROUP_ROOT, controllers);
    if (!existsSync(join(mount, "cgroup.procs"))) continue;
    const dir = join(mount, path, `easy-kube-${lab}`, machine);
    mkdirSync(dir, { recursive: true });
    if (controllers.includes("cpuset")) inheritCpuset(join(mount, path), dir);
    dirs.push(dir);
  }
  return dirs;
}

/** A new cpuset accepts no process until it has CPUs and memory nodes: the lab's and the machine's take the parent's. */
function inheritCpuset(parent: string, dir: string): void {
  for (const folder of [join(dir, ".."), dir]) {
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      if (readFileSync(join(folder, file), "utf8").trim() === "") writeFileSync(join(folder, file), readFileSync(join(parent, file), "utf8").trim());
    }
  }
}

export function removeControllerCgroups(lab: string): void {
  const own = readFileSync("/proc/self/cgroup", "utf8").split("\n").filter(Boolean);
  for (const line of own) {
    const [, controllers = "", path = "/"] = line.split(":");
    if (!controllers || controllers.startsWith("name=")) continue;
    removeTree(join(CGROUP_ROOT, controllers, path, `easy-kube-${lab}`));
  }
}

/** Removes a machine's cgroups, deepest first (a cgroup folder is removed with rmdir once empty). */
export function removeMachineCgroups(lab: string, machine: string): void {
  for (const dir of machineCgroupDirs(lab, machine)) removeTree(dir);
}

export function removeLabCgroups(lab: string): void {
  for (const hierarchy of HIERARCHIES) removeTree(join(hierarchy, `easy-kube-${lab}`));
}

function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) removeTree(path);
  }
  try {
    rmdirSync(dir);
  } catch {
    // still has processes: the caller stops machines first, and reports what is left
  }
}
