/** Checksums of files on the control machine. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { EasyKubeError } from "../errors.js";

const checksums = new Map<string, string>();

/** sha256 of a file that does not change during the run (bundle files, archives), hashed once. */
export function localSha256(path: string): string {
  let sum = checksums.get(path);
  if (!sum) {
    sum = sha256OfFile(path);
    checksums.set(path, sum);
  }
  return sum;
}

export function sha256OfFile(path: string): string {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (error) {
    throw new EasyKubeError(`cannot read ${path} on the control machine: ${(error as Error).message}`);
  }
}
