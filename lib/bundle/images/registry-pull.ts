/**
 * One image from a registry to a `docker save` archive, without Docker: the reference's manifest
 * (the bundle architecture's entry of a manifest list or OCI index), then the config and layer
 * blobs, each verified against its digest; layers are decompressed and checked against the
 * config's diff IDs, and the archive carries the registry's config byte for byte, so `docker
 * load` gives the image ID the registry publishes. On any failure nothing is left at `file`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { EasyKubeError } from "../../errors.js";
import { writeDockerArchive } from "./docker-archive.js";
import { downloadBlob } from "./registry-blob.js";
import { registryErrorText, registryGet, type RegistryCredentials, type RegistrySession } from "./registry-http.js";
import { uncompressedLayer } from "./registry-layer.js";
import { MANIFEST_ACCEPT, parseManifest, selectPlatform, type Descriptor } from "./registry-manifest.js";
import { parseImageReference, registryLocation, repoTagOf } from "./registry-reference.js";

export interface PullImageOptions {
  /** "k8s.gcr.io/pause:3.2", "busybox:1.35", "registry.local:5000/x/y@sha256:...". */
  readonly reference: string;
  /** Go architecture name of the bundle (amd64, arm64); an index is resolved for linux/<arch>. */
  readonly arch: string;
  /** A registry host (with port, optionally a path prefix) used instead of the reference's: the site's mirror (image_registry). @default "" */
  readonly registry?: string;
  /** For registries that ask for a user name and password (Basic, or to get a Bearer token). */
  readonly credentials?: RegistryCredentials;
  /** The archive to write. */
  readonly file: string;
}

export interface PulledImage {
  /** The tag the node gets ("k8s.gcr.io/pause:3.2"); none for a reference by digest alone. */
  readonly repoTags: readonly string[];
  /** "sha256:..." of the config: the ID `docker load` reports. */
  readonly imageId: string;
  /** The digest of the platform's image manifest. */
  readonly manifestDigest: string;
  /** Where it came from, pinned: "127.0.0.1:5000/pause@sha256:...". */
  readonly source: string;
}

interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly created?: string;
  readonly config?: Record<string, unknown>;
  readonly rootfs?: { readonly diff_ids?: readonly string[] };
}

export async function pullImage(options: PullImageOptions): Promise<PulledImage> {
  const reference = parseImageReference(options.reference);
  const location = registryLocation(reference, options.registry);
  const what = options.reference;
  const session: RegistrySession = { baseUrl: location.baseUrl, repository: location.repository, authorizations: new Map(), ...(options.credentials ? { credentials: options.credentials } : {}) };
  const { manifest, digest: manifestDigest } = await imageManifest(session, location.manifestReference, reference.digest, options.arch, what);

  mkdirSync(dirname(options.file), { recursive: true });
  const work = mkdtempSync(join(dirname(options.file), ".pull-"));
  try {
    const configFile = join(work, "config.json");
    await downloadBlob(session, manifest.config, configFile, what);
    const configBytes = readFileSync(configFile);
    const config = parseConfig(configBytes, manifest.config.digest, what);
    if (config.architecture && config.architecture !== options.arch) {
      throw new EasyKubeError(`${what}: the image is for ${config.os ?? "linux"}/${config.architecture}, and the bundle is for ${options.arch} (bundle_arch)`);
    }
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) {
      throw new EasyKubeError(`${what}: the manifest lists ${manifest.layers.length} layers and the config ${diffIds.length} diff IDs: refused`);
    }
    const layerTars: string[] = [];
    for (const [i, layer] of manifest.layers.entries()) {
      const blob = join(work, `layer-${i}.blob`);
      const tar = join(work, `layer-${i}.tar`);
      await downloadBlob(session, layer, blob, what);
      const diffId = await uncompressedLayer(blob, layer.mediaType, tar, `${what} layer ${layer.digest}`);
      rmSync(blob);
      if (diffId !== diffIds[i]) throw new EasyKubeError(`${what}: layer ${layer.digest} decompresses to ${diffId}, the config says ${diffIds[i]}: refused`);
      layerTars.push(tar);
    }
    const repoTag = repoTagOf(reference);
    const repoTags = repoTag ? [repoTag] : [];
    const written = writeDockerArchive(options.file, {
      repoTags,
      architecture: config.architecture ?? options.arch,
      config: config.config ?? {},
      layerTars,
      created: config.created ?? "",
      configBytes,
    });
    const host = new URL(location.baseUrl).host;
    return { repoTags, imageId: written.imageId, manifestDigest, source: `${host}/${location.repository}@${manifestDigest}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The image manifest for the architecture, following an index; every manifest checked against its digest. */
async function imageManifest(session: RegistrySession, manifestReference: string, pinned: string | undefined, arch: string, what: string) {
  let fetched = await fetchManifest(session, manifestReference, pinned, what);
  for (let depth = 0; depth < 2; depth++) {
    const manifest = parseManifest(fetched.bytes, fetched.contentType, what);
    if (manifest.kind === "image") return { manifest, digest: fetched.digest };
    const entry: Descriptor = selectPlatform(manifest.manifests, arch, what);
    fetched = await fetchManifest(session, entry.digest, entry.digest, what);
  }
  throw new EasyKubeError(`${what}: an index nested more than twice: refused`);
}

async function fetchManifest(session: RegistrySession, manifestReference: string, expectedDigest: string | undefined, what: string) {
  const response = await registryGet(session, `manifests/${manifestReference}`, { accept: MANIFEST_ACCEPT });
  if (!response.ok) {
    const known = response.status === 404 ? `has no image ${session.repository}:${manifestReference}` : `refused the manifest of ${session.repository}:${manifestReference}`;
    throw new EasyKubeError(`${what}: the registry ${session.baseUrl} ${known}: ${await registryErrorText(response)}`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  // By digest, the content must have it; by tag, the registry's own statement of it must hold.
  const claimed = expectedDigest ?? response.headers.get("docker-content-digest") ?? undefined;
  if (claimed && claimed.startsWith("sha256:") && claimed !== digest) {
    throw new EasyKubeError(`${what}: manifest ${claimed} from ${session.baseUrl} has content with ${digest}: refused, the registry's copy is corrupt or tampered with`);
  }
  return { bytes, digest, contentType: response.headers.get("content-type") ?? "" };
}

function parseConfig(bytes: Buffer, digest: string, what: string): ImageConfig {
  try {
    return JSON.parse(bytes.toString("utf8")) as ImageConfig;
  } catch {
    throw new EasyKubeError(`${what}: config blob ${digest} is not JSON`);
  }
}
