/**
 * Each machine is launched from its own cgroup, in the named systemd hierarchy and in the unified
 * one: without that, every nspawn shares one payload cgroup and the machines' services collide
 * (measured, see the lab notes). Hierarchies this host does not have are skipped.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
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
