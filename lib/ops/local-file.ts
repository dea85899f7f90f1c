/** Checksums of files on the control machine. */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { EasyKubeError } from "../errors.js";

const checksums = new Map<string, { stamp: string; sum: string }>();

/**
 * sha256 of a local file, hashed once per content: a file sent to many hosts (a 75 MB dockerd, a
 * certificate) is read once per run, and hashed again only when its size or mtime changed (a
 * file an earlier play of the same run regenerated).
 */
export function localSha256(path: string): string {
  let stamp: string;
  try {
    const stat = statSync(path);
    stamp = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
  const cached = checksums.get(path);
  if (cached?.stamp === stamp) return cached.sum;
  const sum = sha256OfFile(path);
  checksums.set(path, { stamp, sum });
  return sum;
}

export function sha256OfFile(path: string): string {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
}
