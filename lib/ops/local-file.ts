/** Checksums of files on the control machine. */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
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
 * dockerd, a certificate) is read once per run, and hashed again only when its size or mtime
 * changed (a file an earlier play of the same run regenerated).
 */
export function localDigest(path: string): LocalDigest {
  let stamp: string;
  let size: number;
  try {
    const stat = statSync(path);
    size = stat.size;
    stamp = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
  const cached = checksums.get(path);
  if (cached?.stamp === stamp) return cached.digest;
  const digest = { size, sha256: sha256OfFile(path) };
  checksums.set(path, { stamp, digest });
  return digest;
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
