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
import { componentManifest, type ComponentManifest } from "./manifest.js";
import type { BundleImage } from "./images/bundle-images.js";
import { builtImage } from "./images/debian-images.js";
import { buildFromGoModules } from "./go-source/go-module-build.js";
import { pullImage } from "./images/registry-pull.js";
import { EasyKubeError } from "../errors.js";
import { kubernetesFromDebianSource } from "./kubernetes-source/kubernetes-build.js";

export interface BundleRequest {
  readonly component: ComponentName;
  readonly version: string;
  readonly arch: Arch;
  readonly source: BundleSource;
  readonly mirror: string;
  readonly debsDir: string;
  readonly checksums: Readonly<Record<string, string | number>>;
  /** A registry that replaces every image's own (image_registry). */
  readonly imageRegistry: string;
}

export interface FillReport {
  readonly status: "ok" | "filled";
  readonly origin: string;
  readonly warnings: string[];
}

export type FileStatus = "ok" | "missing" | "changed";

/** Each file the component needs, as the bundle holds it: present with its locked sha256, missing, or changed since. */
export function bundleStatus(bundleDir: string, request: BundleRequest): { manifest: ComponentManifest; files: Record<string, FileStatus>; origin?: string } {
  const manifest = componentManifest(request.component, request.version, request.arch, request.source);
  const folder = componentFolder(bundleDir, manifest.component, manifest.version, manifest.arch);
  const locked = findLocked(readBundleLock(bundleDir), manifest.component, manifest.version, manifest.arch);
  const files: Record<string, FileStatus> = {};
  for (const f of manifest.files) {
    const path = join(folder, f);
    files[f] = !locked?.files[f] || !existsSync(path) ? "missing" : sha256OfFile(path) === locked.files[f] ? "ok" : "changed";
  }
  return { manifest, files, ...(locked ? { origin: locked.origin } : {}) };
}

/** `progress` hears about long steps (a Kubernetes build takes minutes). */
export async function fillBundle(bundleDir: string, request: BundleRequest, progress: (line: string) => void = () => {}): Promise<FillReport> {
  const { manifest, files: status, origin: lockedOrigin } = bundleStatus(bundleDir, request);
  const folder = componentFolder(bundleDir, manifest.component, manifest.version, manifest.arch);
  if (Object.values(status).every((s) => s === "ok")) return { status: "ok", origin: lockedOrigin!, warnings: [] };
  prepareFolder(bundleDir);
  const work = mkdtempSync(join(bundleDir, ".work-"));
  try {
    const warnings: string[] = [];
    const { origin, paths } = await obtainFiles(bundleDir, manifest, request, work, warnings, progress);
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

async function obtainFiles(bundleDir: string, manifest: ComponentManifest, request: BundleRequest, work: string, warnings: string[], progress: (line: string) => void) {
  const origin = manifest.origin;
  switch (origin.kind) {
    case "archive":
      return fromArchive(bundleDir, origin, request, work, warnings);
    case "debian":
      return fromDebian(origin, request, work);
    case "source-build":
      return kubernetesFromDebianSource(request.version, request.arch, origin.programs, progress);
    case "go-build":
      return buildFromGoModules({ component: manifest.component, version: request.version, arch: request.arch, recipe: origin.recipe }, progress);
    case "images":
      return imagesFor(origin.images, request, work, progress);
  }
}

/** One archive per image, built from Debian material or pulled from a registry. */
async function imagesFor(images: readonly BundleImage[], request: BundleRequest, work: string, progress: (line: string) => void) {
  const paths: Record<string, string> = {};
  const origins: string[] = [];
  for (const image of images) {
    const made = request.source === "debian" || request.source === "go" ? await builtImage(image, request, work, progress) : await pulledImage(image, request, work);
    paths[image.file] = made.path;
    origins.push(`${image.reference}: ${made.origin}`);
  }
  return { origin: origins.join("; "), paths };
}

async function pulledImage(image: BundleImage, request: BundleRequest, work: string) {
  if (request.source === "mirror" && !request.imageRegistry) {
    throw new EasyKubeError(`bundle_source mirror takes images from the site's registry: set image_registry (for ${image.reference})`);
  }
  const path = join(work, image.file);
  const pulled = await pullImage({ reference: image.reference, arch: request.arch, registry: request.imageRegistry, file: path });
  return { path, origin: `${pulled.source}, image ${pulled.imageId}` };
}

/** The folder, with a .gitignore: binaries of hundreds of megabytes do not belong in a repository. */
function prepareFolder(bundleDir: string): void {
  mkdirSync(bundleDir, { recursive: true });
  const ignore = join(bundleDir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "# Downloaded programs: fill with `npx easy-kube bundle -i INVENTORY`.\n*\n");
}
