/**
 * Image manifests as registries serve them: an index (Docker manifest list, OCI image index)
 * names one image manifest per platform; an image manifest (Docker schema 2, OCI) names the
 * config and layer blobs. Schema 1 manifests (Docker before 1.10) carry no config blob, so they
 * cannot become a `docker save` archive with the image's own ID, and are refused.
 */
import { EasyKubeError } from "../../errors.js";

export const MEDIA_TYPES = {
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
} as const;

/** What the client asks for: every kind it reads (a registry may otherwise convert to schema 1). */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(", ");

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
}

export type ParsedManifest =
  | { readonly kind: "index"; readonly manifests: readonly Descriptor[] }
  | { readonly kind: "image"; readonly config: Descriptor; readonly layers: readonly Descriptor[] };

/** `what` names the image in errors ("k8s.gcr.io/pause:3.2"). `contentType` is the response's. */
export function parseManifest(bytes: Buffer, contentType: string, what: string): ParsedManifest {
  let body: { schemaVersion?: number; mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[]; fsLayers?: unknown };
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new EasyKubeError(`${what}: the registry's manifest is not JSON (content type "${contentType}")`);
  }
  const mediaType = body.mediaType ?? contentType.split(";")[0]!.trim();
  if (body.schemaVersion === 1 || body.fsLayers !== undefined || mediaType.startsWith("application/vnd.docker.distribution.manifest.v1")) {
    throw new EasyKubeError(`${what}: the registry serves a schema 1 manifest (Docker before 1.10), which easy-kube does not read; push the image again with a current Docker, or use a newer tag`);
  }
  if (Array.isArray(body.manifests) && (mediaType === MEDIA_TYPES.dockerList || mediaType === MEDIA_TYPES.ociIndex || !body.config)) {
    return { kind: "index", manifests: body.manifests };
  }
  if (body.config && Array.isArray(body.layers)) return { kind: "image", config: body.config, layers: body.layers };
  throw new EasyKubeError(`${what}: a manifest of an unknown kind (media type "${mediaType}")`);
}

/** The entry of an index for linux/<arch> (arm64 prefers variant v8 or none, as Docker does). */
export function selectPlatform(manifests: readonly Descriptor[], arch: string, what: string): Descriptor {
  const candidates = manifests.filter((m) => m.platform?.os === "linux" && m.platform.architecture === arch);
  const chosen = candidates.find((m) => !m.platform?.variant || (arch === "arm64" && m.platform.variant === "v8")) ?? candidates[0];
  if (chosen) return chosen;
  const offered = manifests.map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join("/")).filter(Boolean);
  throw new EasyKubeError(`${what}: no image for linux/${arch}; the registry offers ${offered.join(", ") || "no platforms"}`);
}
