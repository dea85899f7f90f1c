/**
 * Which resource serves a kind at an apiVersion, asked of the server (GET /api, /apis,
 * /apis/<group>/<version>): the plural name for URLs and whether objects live in namespaces. The
 * answers are kept for the run, per API server. A manifest's apiVersion is used as written; when
 * the server does not serve it (extensions/v1beta1 Deployments on 1.16+, rbac v1 on 1.7), the
 * error names the object, its apiVersion, what the server serves instead and the server version.
 */
import { EasyKubeError } from "../errors.js";
import type { KubeApiClient } from "./api-client.js";

export interface ApiResource {
  readonly apiVersion: string;
  readonly kind: string;
  /** Plural name in URLs: "deployments". */
  readonly name: string;
  readonly namespaced: boolean;
}

interface ServerApis {
  readonly version: string;
  /** Served group versions, "v1" for the core group. */
  readonly groupVersions: ReadonlySet<string>;
  /** The resources of a group version, fetched when first asked for. */
  readonly resources: Map<string, Promise<ApiResource[]>>;
}

const servers = new Map<string, Promise<ServerApis>>();

/** The server serves no such apiVersion, or no such kind in it. */
export class ApiNotServed extends EasyKubeError {
  override readonly name = "ApiNotServed";
}

/** The resource for a kind at an apiVersion; `what` names the object in the error. */
export async function discoverResource(client: KubeApiClient, apiVersion: string, kind: string, what: string): Promise<ApiResource> {
  const apis = await serverApis(client);
  if (!apis.groupVersions.has(apiVersion)) {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    const sameGroup = [...apis.groupVersions].filter((gv) => (gv.includes("/") ? gv.split("/")[0] : "") === group);
    throw new ApiNotServed(
      `${what}: the API server (Kubernetes ${apis.version}) does not serve apiVersion ${apiVersion}` +
        (sameGroup.length > 0 ? `; it serves ${sameGroup.join(", ")}` : group ? `; it serves no version of the group ${group}` : ""),
    );
  }
  let resources = apis.resources.get(apiVersion);
  if (!resources) {
    resources = listResources(client, apiVersion);
    resources.catch(() => apis.resources.delete(apiVersion));
    apis.resources.set(apiVersion, resources);
  }
  const resource = (await resources).find((r) => r.kind === kind);
  if (!resource) throw new ApiNotServed(`${what}: the API server (Kubernetes ${apis.version}) serves ${apiVersion} but no kind ${kind} in it`);
  return resource;
}

/** The server's version, e.g. "v1.20.2". */
export async function serverVersion(client: KubeApiClient): Promise<string> {
  return (await serverApis(client)).version;
}

/** Forgets what a server serves (after a CustomResourceDefinition was created, for example). */
export function forgetDiscovery(client: KubeApiClient): void {
  servers.delete(cacheKey(client));
}

function serverApis(client: KubeApiClient): Promise<ServerApis> {
  const key = cacheKey(client);
  let apis = servers.get(key);
  if (!apis) {
    apis = readServerApis(client);
    apis.catch(() => servers.delete(key));
    servers.set(key, apis);
  }
  return apis;
}

function cacheKey(client: KubeApiClient): string {
  return `${client.endpoint.description} ${client.endpoint.credentials.caPem}`;
}

async function readServerApis(client: KubeApiClient): Promise<ServerApis> {
  const [version, core, groups] = await Promise.all([client.expectOk("GET", "/version"), client.expectOk("GET", "/api"), client.expectOk("GET", "/apis")]);
  const groupVersions = new Set<string>([...(core.versions ?? []), ...(groups.groups ?? []).flatMap((g: any) => (g.versions ?? []).map((v: any) => String(v.groupVersion)))]);
  return { version: String(version.gitVersion ?? "unknown"), groupVersions, resources: new Map() };
}

async function listResources(client: KubeApiClient, apiVersion: string): Promise<ApiResource[]> {
  const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const list = await client.expectOk("GET", path);
  return (list.resources ?? [])
    .filter((r: any) => typeof r.name === "string" && !r.name.includes("/")) // subresources: deployments/scale
    .map((r: any) => ({ apiVersion, kind: String(r.kind), name: r.name, namespaced: !!r.namespaced }));
}

/** The URL of an object (`name` given) or of its collection. */
export function resourcePath(resource: ApiResource, namespace: string | undefined, name?: string): string {
  const base = resource.apiVersion.includes("/") ? `/apis/${resource.apiVersion}` : `/api/${resource.apiVersion}`;
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? "default")}` : "";
  return `${base}${scope}/${resource.name}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
}
