/**
 * bundle.lock.json: what the bundle folder holds, with each file's sha256 recorded when it was
 * fetched. Roles install only files whose content still has that sha256, so a bundle copied to an
 * air-gapped control machine is verified again before anything reaches a host.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";
import type { Arch, ComponentName } from "./bundle-vars.js";

export interface LockedComponent {
  readonly component: ComponentName;
  readonly version: string;
  readonly arch: Arch;
  /** Where the files came from: an archive and its sha256, or Debian package files. */
  readonly origin: string;
  /** File name -> sha256. */
  readonly files: Readonly<Record<string, string>>;
}

export interface BundleLock {
  readonly components: LockedComponent[];
}

export const LOCK_FILE = "bundle.lock.json";

export function componentFolder(bundleDir: string, component: string, version: string, arch: string): string {
  return join(bundleDir, component, version.replace(/^v/, ""), arch);
}

export function readBundleLock(bundleDir: string): BundleLock {
  const path = join(bundleDir, LOCK_FILE);
  if (!existsSync(path)) return { components: [] };
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as BundleLock;
    if (!Array.isArray(parsed.components)) throw new Error("no components list");
    return parsed;
  } catch (error) {
    throw new EasyKubeError(`${path}: not a bundle lock file (${(error as Error).message}); remove it and run easy-kube bundle again`);
  }
}

export function findLocked(lock: BundleLock, component: ComponentName, version: string, arch: Arch): LockedComponent | undefined {
  const wanted = version.replace(/^v/, "");
  return lock.components.find((c) => c.component === component && c.version === wanted && c.arch === arch);
}

export function writeBundleLock(bundleDir: string, entry: LockedComponent): void {
  mkdirSync(bundleDir, { recursive: true });
  const lock = readBundleLock(bundleDir);
  const others = lock.components.filter((c) => !(c.component === entry.component && c.version === entry.version && c.arch === entry.arch));
  const components = [...others, entry].sort((a, b) => `${a.component} ${a.version} ${a.arch}`.localeCompare(`${b.component} ${b.version} ${b.arch}`));
  const path = join(bundleDir, LOCK_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ components }, null, 2) + "\n");
  renameSync(temporary, path);
}

/** The files a role installs for a component, or an error that says how to fill the bundle. */
export function bundledFiles(bundleDir: string, component: ComponentName, version: string, arch: Arch): { name: string; path: string; sha256: string }[] {
  const locked = findLocked(readBundleLock(bundleDir), component, version, arch);
  if (!locked) {
    throw new EasyKubeError(`the bundle ${bundleDir} has no ${component} ${version} for ${arch}: run \`npx easy-kube bundle -i INVENTORY\` (or set install_method: packages)`);
  }
  const folder = componentFolder(bundleDir, component, locked.version, arch);
  return Object.entries(locked.files).map(([name, sha256]) => ({ name, path: join(folder, name), sha256 }));
}
