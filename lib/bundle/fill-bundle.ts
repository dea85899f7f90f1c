/**
 * Fills the bundle folder with one component, from its archive (archive-source.ts) or Debian
 * packages (debian-source.ts), and records each file's sha256 in bundle.lock.json. A component
 * already there with intact files is left alone, so a second run downloads nothing.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256OfFile } from "../ops/local-file.js";
import { fromArchive } from "./archive-source.js";
import type { Arch, BundleSource, ComponentName } from "./bundle-vars.js";
import { componentFolder, findLocked, readBundleLock, writeBundleLock } from "./bundle-lock.js";
import { fromDebian } from "./debian-source.js";
import { componentManifest } from "./manifest.js";

export interface BundleRequest {
  readonly component: ComponentName;
  readonly version: string;
  readonly arch: Arch;
  readonly source: BundleSource;
  readonly mirror: string;
  readonly debsDir: string;
  readonly checksums: Readonly<Record<string, string | number>>;
}

export interface FillReport {
  readonly status: "ok" | "filled";
  readonly origin: string;
  readonly warnings: string[];
}

export async function fillBundle(bundleDir: string, request: BundleRequest): Promise<FillReport> {
  const manifest = componentManifest(request.component, request.version, request.arch, request.source);
  const folder = componentFolder(bundleDir, manifest.component, manifest.version, manifest.arch);
  const locked = findLocked(readBundleLock(bundleDir), manifest.component, manifest.version, manifest.arch);
  if (locked && manifest.files.every((f) => locked.files[f] && existsSync(join(folder, f)) && sha256OfFile(join(folder, f)) === locked.files[f])) {
    return { status: "ok", origin: locked.origin, warnings: [] };
  }
  prepareFolder(bundleDir);
  const work = mkdtempSync(join(bundleDir, ".work-"));
  try {
    const warnings: string[] = [];
    const { origin, paths } =
      manifest.origin.kind === "archive"
        ? await fromArchive(bundleDir, manifest.origin, request, work, warnings)
        : fromDebian(manifest.origin, request, work);
    mkdirSync(folder, { recursive: true });
    const files: Record<string, string> = {};
    for (const name of manifest.files) {
      const source = paths[name]!;
      const temporary = join(folder, `.${name}.tmp`);
      copyFileSync(source, temporary);
      chmodSync(temporary, 0o755);
      renameSync(temporary, join(folder, name));
      files[name] = sha256OfFile(join(folder, name));
    }
    writeBundleLock(bundleDir, { component: manifest.component, version: manifest.version, arch: manifest.arch, origin, files });
    return { status: "filled", origin, warnings };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The folder, with a .gitignore: binaries of hundreds of megabytes do not belong in a repository. */
function prepareFolder(bundleDir: string): void {
  mkdirSync(bundleDir, { recursive: true });
  const ignore = join(bundleDir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "# Downloaded programs: fill with `npx easy-kube bundle -i INVENTORY`.\n*\n");
}
