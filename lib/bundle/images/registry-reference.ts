/**
 * Image references as Docker reads them ("busybox:1.35", "k8s.gcr.io/pause:3.2",
 * "registry.local:5000/x/y@sha256:..."), and where to fetch one from: Docker Hub's short names
 * live under library/ on registry-1.docker.io, and a site's own mirror (image_registry) takes the
 * place of every image's registry host while the image keeps its name on the nodes.
 */
import { EasyKubeError } from "../../errors.js";

export interface ImageReference {
  /** The registry as named in the reference, with Docker Hub as "docker.io". */
  readonly registry: string;
  /** The repository inside it: "library/busybox", "pause". */
  readonly repository: string;
  readonly tag?: string;
  /** "sha256:<hex>" when the reference pins the content. */
  readonly digest?: string;
}

/** Where the registry API for a reference is reached. */
export interface RegistryLocation {
  /** "https://registry-1.docker.io", "http://127.0.0.1:5000". */
  readonly baseUrl: string;
  readonly repository: string;
  /** A tag or a digest: what /v2/<repository>/manifests/ is asked for. */
  readonly manifestReference: string;
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_API = "registry-1.docker.io";
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parseImageReference(text: string): ImageReference {
  const bad = (why: string) => new EasyKubeError(`image reference "${text}": ${why}`);
  const [nameAndTag = "", digest, ...extra] = text.trim().split("@");
  if (extra.length > 0) throw bad("more than one @");
  if (digest !== undefined && !DIGEST.test(digest)) throw bad(`the digest must be sha256:<64 hex digits>, found "${digest}"`);
  const slash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : undefined;
  const name = tag === undefined ? nameAndTag : nameAndTag.slice(0, colon);
  if (tag !== undefined && !TAG.test(tag)) throw bad(`"${tag}" is not a valid tag`);
  const parts = name.split("/");
  // Docker's rule: the first part is a registry host if it has a dot or a port, or is localhost.
  const first = parts[0] ?? "";
  const hasHost = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasHost ? (first === "index.docker.io" ? DOCKER_HUB : first) : DOCKER_HUB;
  const pathParts = hasHost ? parts.slice(1) : parts;
  if (registry === DOCKER_HUB && pathParts.length === 1) pathParts.unshift("library");
  const invalid = pathParts.find((p) => !PATH_COMPONENT.test(p));
  if (invalid !== undefined) throw bad(`"${invalid}" is not a valid repository name part (lower-case letters, digits, separators)`);
  return { registry, repository: pathParts.join("/"), ...(tag !== undefined || digest === undefined ? { tag: tag ?? "latest" } : {}), ...(digest ? { digest } : {}) };
}

/** The name a node knows the image by, as `docker save` writes it ("busybox:1.35", "k8s.gcr.io/pause:3.2"). */
export function familiarName(reference: ImageReference): string {
  const repository = reference.registry === DOCKER_HUB ? reference.repository.replace(/^library\//, "") : reference.repository;
  return reference.registry === DOCKER_HUB ? repository : `${reference.registry}/${repository}`;
}

/** The tag a node gets: none for a reference by digest alone (docker save writes none either). */
export function repoTagOf(reference: ImageReference): string | undefined {
  return reference.tag === undefined ? undefined : `${familiarName(reference)}:${reference.tag}`;
}

/**
 * `registryOverride` ("mirror.local:5000" or "mirror.local:5000/prefix") replaces the reference's
 * registry host: k8s.gcr.io/pause:3.2 is fetched as mirror.local:5000/prefix/pause:3.2.
 */
export function registryLocation(reference: ImageReference, registryOverride = ""): RegistryLocation {
  const override = registryOverride.trim().replace(/^https?:\/\//, "").replace(/\/+$/, "");
  const [overrideHost, ...prefix] = override ? override.split("/") : [];
  const host = overrideHost ?? (reference.registry === DOCKER_HUB ? DOCKER_HUB_API : reference.registry);
  const repository = [...prefix, reference.repository].join("/");
  return { baseUrl: `${schemeFor(host, registryOverride)}://${host}`, repository, manifestReference: reference.digest ?? reference.tag ?? "latest" };
}

/** https everywhere, except registries on loopback (a test or a local mirror) and an override written with http://. */
function schemeFor(host: string, registryOverride: string): "http" | "https" {
  if (/^http:\/\//.test(registryOverride.trim())) return "http";
  const hostname = host.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  return hostname === "localhost" || /^127\./.test(hostname) || hostname === "::1" ? "http" : "https";
}
