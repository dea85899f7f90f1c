/** Checksums of files on the control machine. */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, type BigIntStats } from "node:fs";
import { resolve } from "node:path";
import { CACHED_FROM_BYTES, DigestCache, digestCacheFile, SETTLED_MS } from "./digest-cache.js";
import { fileStamp, statForStamp } from "../util/file-stamp.js";
import { EasyKubeError } from "../errors.js";

/** Files are hashed in pieces of this size: a 200 MB program never sits in memory whole. */
const HASH_READ_BYTES = 1024 * 1024;

const checksums = new Map<string, { stamp: string; digest: LocalDigest; remembered: boolean }>();

export interface LocalDigest {
  readonly size: number;
  readonly sha256: string;
  /**
   * The file's stamp (util/file-stamp.ts) when it had settled before it was hashed (SETTLED_MS) and
   * did not change while it was: as long as the file keeps it, its bytes are the hashed ones, and an
   * upload need not hash them again. Unset for a file changed just before (a write in the same tick
   * of the file system's clock would not show).
   */
  readonly stamp?: string;
}

export interface DigestOptions {
  /**
   * The digest may come from an earlier run (digest-cache.ts): for uploads, which send the file only
   * while it keeps the stamp the digest holds under (input-feed.ts). Decisions taken on the control
   * machine alone hash the file again once per run.
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
  const sha256 = remembered ?? sha256OfFile(path);
  // A remembered digest was remembered only once its file had settled.
  const trusted = remembered !== undefined || settled(path, stamp, stat, hashStarted);
  const digest: LocalDigest = trusted ? { size, sha256, stamp } : { size, sha256 };
  if (persistent && remembered === undefined && trusted) persistent.put(absolute, stamp, sha256);
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
