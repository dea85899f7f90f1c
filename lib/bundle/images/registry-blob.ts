/**
 * A blob (config or layer) downloaded from a registry straight to disk, its sha256 computed while
 * it streams: content that does not match the digest it was asked by is refused and removed, so
 * a tampered registry or a broken mirror never leaves a file behind.
 */
import { createHash } from "node:crypto";
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EasyKubeError } from "../../errors.js";
import { registryErrorText, registryGet, type RegistrySession } from "./registry-http.js";
import type { Descriptor } from "./registry-manifest.js";

/** A pass-through stream that hashes what flows through it. */
export function hashingStream(): { stream: Transform; digest: () => string; size: () => number } {
  const hash = createHash("sha256");
  let size = 0;
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  // A hash gives its digest once; asked again (for an error message), the first answer is kept.
  return { stream, digest: () => (digest ??= `sha256:${hash.digest("hex")}`), size: () => size };
}

/** `what` names the image in errors. */
export async function downloadBlob(session: RegistrySession, blob: Descriptor, file: string, what: string): Promise<void> {
  if (!/^sha256:[0-9a-f]{64}$/.test(blob.digest)) throw new EasyKubeError(`${what}: blob digest "${blob.digest}" is not a sha256 digest`);
  const response = await registryGet(session, `blobs/${blob.digest}`);
  if (!response.ok || !response.body) throw new EasyKubeError(`${what}: blob ${blob.digest} could not be fetched from ${session.baseUrl}: ${await registryErrorText(response)}`);
  const partial = `${file}.part`;
  const hashed = hashingStream();
  try {
    await pipeline(Readable.fromWeb(response.body as never), hashed.stream, createWriteStream(partial));
    if (hashed.digest() !== blob.digest) {
      throw new EasyKubeError(`${what}: blob ${blob.digest} from ${session.baseUrl} has content with ${hashed.digest()} (${hashed.size()} bytes): refused, the registry's copy is corrupt or tampered with`);
    }
    if (typeof blob.size === "number" && hashed.size() !== blob.size) throw new EasyKubeError(`${what}: blob ${blob.digest} is ${hashed.size()} bytes, the manifest says ${blob.size}: refused`);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    if (error instanceof EasyKubeError) throw error;
    throw new EasyKubeError(`${what}: downloading blob ${blob.digest} from ${session.baseUrl} failed: ${(error as Error).message}`);
  }
}
