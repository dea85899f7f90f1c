/**
 * Fills the bundle folder with one component: from its official archive (downloaded, or taken
 * from a mirror folder or URL) or from Debian packages (`apt-get download`, or .debs the user
 * gives), verified and recorded in bundle.lock.json. A component already there with intact files
 * is left alone, so a second run downloads nothing.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EasyKubeError } from "../errors.js";
import { sha256OfFile } from "../ops/local-file.js";
import type { Arch, BundleSource, ComponentName } from "./bundle-vars.js";
import { componentFolder, findLocked, readBundleLock, writeBundleLock } from "./bundle-lock.js";
import { componentManifest, debianUpstreamVersion, type ArchiveOrigin, type DebianOrigin } from "./manifest.js";

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

async function fromArchive(bundleDir: string, origin: ArchiveOrigin, request: BundleRequest, work: string, warnings: string[]) {
  const archives = join(bundleDir, ".archives");
  mkdirSync(archives, { recursive: true });
  const archive = join(archives, origin.fileName);
  const location = archiveLocation(origin, request);
  if (!existsSync(archive)) await obtain(location, archive);
  const actual = sha256OfFile(archive);
  const expected = await expectedSha256(origin, request, warnings);
  if (expected && expected !== actual) {
    rmSync(archive, { force: true });
    throw new EasyKubeError(`${location} has sha256 ${actual}, expected ${expected}: refused (removed from ${archives})`);
  }
  if (!expected) warnings.push(`${origin.fileName}: no published checksum to verify against; recorded sha256 ${actual} (pin it in bundle_checksums)`);
  const unpacked = join(work, "unpacked");
  mkdirSync(unpacked);
  run("tar", ["-xf", archive, "-C", unpacked, "--no-same-owner"]);
  const paths: Record<string, string> = {};
  for (const [name, member] of Object.entries(origin.members)) {
    const path = join(unpacked, member);
    if (!existsSync(path)) throw new EasyKubeError(`${origin.fileName} has no ${member.replace(/^\.\//, "")} (needed as ${name})`);
    paths[name] = path;
  }
  return { origin: `${origin.fileName} sha256:${actual}`, paths };
}

function archiveLocation(origin: ArchiveOrigin, request: BundleRequest): string {
  if (request.source === "official") return origin.url;
  if (!request.mirror) throw new EasyKubeError("bundle_source is mirror but bundle_mirror is empty: give the folder or URL that holds the official archives");
  return /^https?:\/\//.test(request.mirror) ? `${request.mirror.replace(/\/+$/, "")}/${origin.fileName}` : join(request.mirror, origin.fileName);
}

async function obtain(location: string, destination: string): Promise<void> {
  const partial = `${destination}.part`;
  if (!/^https?:\/\//.test(location)) {
    if (!existsSync(location)) throw new EasyKubeError(`the mirror has no ${location}`);
    copyFileSync(location, partial);
  } else {
    const response = await fetch(location).catch((error: Error) => {
      throw new EasyKubeError(`downloading ${location} failed: ${(error.cause as Error | undefined)?.message ?? error.message}`);
    });
    if (!response.ok || !response.body) throw new EasyKubeError(`downloading ${location} failed: HTTP ${response.status}`);
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial));
  }
  renameSync(partial, destination);
}

/** A pinned checksum wins; otherwise upstream's published one (official source only). */
async function expectedSha256(origin: ArchiveOrigin, request: BundleRequest, warnings: string[]): Promise<string | undefined> {
  const pinned = request.checksums[origin.fileName];
  if (pinned !== undefined) return String(pinned).toLowerCase();
  if (request.source !== "official" || !origin.checksumUrl) return undefined;
  try {
    const response = await fetch(origin.checksumUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const sum = sha256From(await response.text(), origin.fileName);
    if (sum) return sum;
    throw new Error("no sha256 for this file in it");
  } catch (error) {
    warnings.push(`${origin.checksumUrl}: ${(error as Error).message}`);
    return undefined;
  }
}

/** A checksum file's sha256 for one file: a bare "<sha256>" (.sha256 files) or SHA256SUMS lines "<sha256>  <file>". */
export function sha256From(text: string, fileName: string): string | undefined {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const line = lines.length === 1 && lines[0]!.split(/\s+/).length === 1 ? lines[0] : lines.find((l) => l.split(/\s+/).at(-1)?.replace(/^\*/, "") === fileName);
  const sum = line?.split(/\s+/)[0];
  return sum && /^[0-9a-f]{64}$/i.test(sum) ? sum.toLowerCase() : undefined;
}

function fromDebian(origin: DebianOrigin, request: BundleRequest, work: string) {
  const debsDir = request.debsDir || join(process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "easy-kube", "debs");
  const packages = [...new Set(Object.values(origin.members).map((m) => m.package))];
  const debs = new Map<string, string>();
  for (const pkg of packages) {
    const version = origin.versioned.includes(pkg) ? request.version : undefined;
    let deb = findDeb(debsDir, pkg, request.arch, version);
    if (!deb && !request.debsDir) {
      aptDownload(debsDir, pkg, request.arch);
      deb = findDeb(debsDir, pkg, request.arch, version);
    }
    if (!deb) {
      const offered = readdirSync(debsDir).filter((f) => f.startsWith(`${pkg}_`) && f.endsWith(`_${request.arch}.deb`)).map((f) => debianUpstreamVersion(decodeURIComponent(f.split("_")[1]!)));
      throw new EasyKubeError(
        offered.length > 0
          ? `${request.component} ${request.version} was asked for, but ${debsDir} has ${pkg} ${offered.join(", ")}: set ${request.component === "docker" ? "docker" : request.component}_version to the packaged version for bundle_source debian`
          : `${debsDir} has no ${pkg} package for ${request.arch}`,
      );
    }
    const unpacked = join(work, pkg);
    run("dpkg-deb", ["-x", deb, unpacked]);
    debs.set(pkg, deb);
  }
  const paths: Record<string, string> = {};
  for (const [name, member] of Object.entries(origin.members)) {
    const path = join(work, member.package, member.path);
    if (!existsSync(path)) throw new EasyKubeError(`${debs.get(member.package)} has no /${member.path} (needed as ${name})`);
    paths[name] = path;
  }
  return { origin: [...debs.values()].map((d) => d.split("/").pop()).join(", "), paths };
}

/** The package's .deb in the folder: of that upstream version when one is given, else the newest. */
function findDeb(dir: string, pkg: string, arch: Arch, version: string | undefined): string | undefined {
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir)
    .filter((f) => f.startsWith(`${pkg}_`) && (f.endsWith(`_${arch}.deb`) || f.endsWith("_all.deb")))
    .filter((f) => version === undefined || debianUpstreamVersion(decodeURIComponent(f.split("_")[1]!)) === version.replace(/^v/, ""));
  return found.length > 0 ? join(dir, found.sort().at(-1)!) : undefined;
}

function aptDownload(dir: string, pkg: string, arch: Arch): void {
  mkdirSync(dir, { recursive: true });
  // apt drops privileges to _apt for downloads: as root, give it the folder (never world-writable).
  if (process.getuid?.() === 0) run("chown", ["_apt", dir]);
  const hostArch = run("dpkg", ["--print-architecture"]).trim();
  run("apt-get", ["download", "-q", hostArch === arch ? pkg : `${pkg}:${arch}`], dir);
}

function run(program: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(program, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new EasyKubeError(`${program} ${args.join(" ")} failed: ${(e.stderr || e.message).trim()}`);
  }
}
