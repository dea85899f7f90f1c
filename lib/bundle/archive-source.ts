/**
 * A component from its upstream archive: downloaded (official), or taken from a mirror folder or
 * URL, kept in .archives/ of the bundle, checked against a pinned or published sha256, unpacked.
 */
import { copyFileSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EasyKubeError } from "../errors.js";
import { sha256OfFile } from "../ops/local-file.js";
import { runTool } from "./run-tool.js";
import type { BundleRequest } from "./fill-bundle.js";
import type { ArchiveOrigin } from "./manifest.js";

export async function fromArchive(bundleDir: string, origin: ArchiveOrigin, request: BundleRequest, work: string, warnings: string[]) {
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
  if (origin.single) return { origin: `${origin.fileName} sha256:${actual}`, paths: { [origin.single]: archive } };
  const unpacked = join(work, "unpacked");
  mkdirSync(unpacked);
  runTool("tar", ["-xf", archive, "-C", unpacked, "--no-same-owner"]);
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
