/**
 * Each machine is launched from its own cgroup, in the named systemd hierarchy and in the unified
 * one: without that, every nspawn shares one payload cgroup and the machines' services collide
 * (measured, see the lab notes). Hierarchies this host does not have are skipped.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";

const HIERARCHIES = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"];

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
