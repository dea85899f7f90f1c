/**
 * A downloaded layer blob made into the uncompressed tar a `docker save` archive holds, with its
 * diff ID (the sha256 of that tar), which must be the one the image's config lists for the layer.
 */
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { pipeline } from "node:stream/promises";
import { EasyKubeError } from "../../errors.js";
import { hashingStream } from "./registry-blob.js";

const GZIP_LAYERS = new Set(["application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"]);
const PLAIN_LAYERS = new Set(["application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.nondistributable.v1.tar"]);

/** Returns the diff ID ("sha256:..."); `what` names the image and layer in errors. */
export async function uncompressedLayer(blobFile: string, mediaType: string, tarFile: string, what: string): Promise<string> {
  if (!GZIP_LAYERS.has(mediaType) && !PLAIN_LAYERS.has(mediaType)) {
    throw new EasyKubeError(`${what}: layers of media type "${mediaType}" are not supported (gzip-compressed or plain tar layers are)`);
  }
  const hashed = hashingStream();
  try {
    if (GZIP_LAYERS.has(mediaType)) await pipeline(createReadStream(blobFile), createGunzip(), hashed.stream, createWriteStream(tarFile));
    else await pipeline(createReadStream(blobFile), hashed.stream, createWriteStream(tarFile));
  } catch (error) {
    rmSync(tarFile, { force: true });
    throw new EasyKubeError(`${what}: cannot decompress the layer: ${(error as Error).message}`);
  }
  return hashed.digest();
}
