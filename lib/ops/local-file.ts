/** Checksums of files on the control machine. */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { CACHED_FROM_BYTES, DigestCache, digestCacheFile, fileStamp, statForStamp } from "./digest-cache.js";
import { EasyKubeError } from "../errors.js";

/** Files are hashed in pieces of this size: a 200 MB program never sits in memory whole. */
const HASH_READ_BYTES = 1024 * 1024;

const checksums = new Map<string, { stamp: string; digest: LocalDigest }>();

export interface LocalDigest {
  readonly size: number;
  readonly sha256: string;
}

/**
 * Size and sha256 of a local file, hashed once per content: a file sent to many hosts (a 75 MB
 * dockerd, a certificate) is read once per run, and hashed again only when its size, mtime, ctime
 * or inode changed (a file an earlier play of the same run regenerated). Files of 1 MB and more are
 * also remembered between runs (digest-cache.ts).
 */
export function localDigest(path: string): LocalDigest {
  let stamp: string;
  let size: number;
  try {
    const stat = statForStamp(path);
    size = Number(stat.size);
    stamp = fileStamp(stat);
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
  const cached = checksums.get(path);
  if (cached?.stamp === stamp) return cached.digest;
  const persistent = size >= CACHED_FROM_BYTES ? persistentCache() : undefined;
  const absolute = resolve(path);
  let sha256 = persistent?.get(absolute, stamp);
  if (sha256 === undefined) {
    sha256 = sha256OfFile(path);
    persistent?.put(absolute, stamp, sha256);
  }
  const digest = { size, sha256 };
  checksums.set(path, { stamp, digest });
  return digest;
}

let cacheOfRun: DigestCache | null | undefined;

function persistentCache(): DigestCache | undefined {
  if (cacheOfRun === undefined) {
    const file = digestCacheFile();
    cacheOfRun = file ? new DigestCache(file) : null;
  }
  return cacheOfRun ?? undefined;
}

export function localSha256(path: string): string {
  return localDigest(path).sha256;
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
