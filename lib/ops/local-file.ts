/** Checksums of files on the control machine. */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, type BigIntStats } from "node:fs";
import { resolve } from "node:path";
import { CACHED_FROM_BYTES, DigestCache, digestCacheFile, fileStamp, SETTLED_MS, statForStamp } from "./digest-cache.js";
import { EasyKubeError } from "../errors.js";

/** Files are hashed in pieces of this size: a 200 MB program never sits in memory whole. */
const HASH_READ_BYTES = 1024 * 1024;

const checksums = new Map<string, { stamp: string; digest: LocalDigest; remembered: boolean }>();

export interface LocalDigest {
  readonly size: number;
  readonly sha256: string;
}

export interface DigestOptions {
  /**
   * The digest may come from an earlier run (digest-cache.ts): only for bytes the host checks on
   * arrival (uploads), never for a decision taken on the control machine alone.
   */
  readonly remembered?: boolean;
}

/**
 * Size and sha256 of a local file, hashed once per content: a file sent to many hosts (a 75 MB
 * dockerd, a certificate) is read once per run, and hashed again only when its size, mtime, ctime
 * or inode changed (a file an earlier play of the same run regenerated). With `remembered`, files
 * of 1 MB and more are also remembered between runs.
 */
export function localDigest(path: string, options: DigestOptions = {}): LocalDigest {
  let stat: BigIntStats;
  try {
    stat = statForStamp(path);
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
  const stamp = fileStamp(stat);
  const size = Number(stat.size);
  const cached = checksums.get(path);
  if (cached?.stamp === stamp && (options.remembered || !cached.remembered)) return cached.digest;
  const persistent = options.remembered && size >= CACHED_FROM_BYTES ? persistentCache() : undefined;
  const absolute = resolve(path);
  const remembered = persistent?.get(absolute, stamp);
  const hashStarted = Date.now();
  const digest = { size, sha256: remembered ?? sha256OfFile(path) };
  if (persistent && remembered === undefined && settled(path, stamp, stat, hashStarted)) persistent.put(absolute, stamp, digest.sha256);
  checksums.set(path, { stamp, digest, remembered: remembered !== undefined });
  return digest;
}

export function localSha256(path: string, options: DigestOptions = {}): string {
  return localDigest(path, options).sha256;
}

/** Unchanged while it was hashed, and not changed just before (see SETTLED_MS). */
function settled(path: string, stamp: string, stat: BigIntStats, hashStarted: number): boolean {
  try {
    if (fileStamp(statForStamp(path)) !== stamp) return false;
  } catch {
    return false;
  }
  const lastChange = Math.max(Number(stat.mtimeMs), Number(stat.ctimeMs));
  return hashStarted - lastChange > SETTLED_MS;
}

let cacheOfRun: DigestCache | null | undefined;

function persistentCache(): DigestCache | undefined {
  if (cacheOfRun === undefined) {
    const file = digestCacheFile();
    cacheOfRun = file ? new DigestCache(file) : null;
  }
  return cacheOfRun ?? undefined;
}

export function sha256OfFile(path: string): string {
  try {
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(HASH_READ_BYTES);
    const fd = openSync(path, "r");
    try {
      for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
    } finally {
      closeSync(fd);
    }
    return hash.digest("hex");
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
}
