/**
 * Pruning: the objects a set of manifests made before and no longer has (a component dropped from
 * an add-on, an add-on turned off) are deleted. They are found by a label every object of the set
 * carries, among the kinds the set may ever hold, so nothing else in the cluster is touched: an
 * object without the label, or of a kind not listed, is never a candidate.
 */
import { apiError, type KubeApiClient } from "./api-client.js";
import { ApiNotServed, discoverResource, resourcePath, type ApiResource } from "./discovery.js";
import { objectName } from "./manifests.js";

export interface PruneSpec {
  /** A label selector every object of the set carries: `easy-kube.io/addon=coredns`. */
  readonly selector: string;
  /** Every kind the set may hold, in any version of it (those the server does not serve are skipped). */
  readonly kinds: readonly { readonly apiVersion: string; readonly kind: string }[];
}

export interface PruneCandidate {
  /** "Deployment kube-system/kube-dns" */
  readonly name: string;
  readonly path: string;
  readonly uid: string;
}

/** `keep`: the names of the objects the manifests hold now, as objectName gives them. */
export async function planPrune(client: KubeApiClient, spec: PruneSpec, keep: ReadonlySet<string>): Promise<PruneCandidate[]> {
  // Every kind asked at once (one round trip's wait, not one per kind), the answers in the spec's order.
  const perKind = await Promise.all(spec.kinds.map((k) => labelledObjects(client, k.apiVersion, k.kind, spec.selector)));
  const seen = new Set<string>();
  const candidates: PruneCandidate[] = [];
  for (const candidate of perKind.flat()) {
    // An object served under two versions of its kind (policy/v1 and v1beta1 PodDisruptionBudgets) is one object.
    if (keep.has(candidate.name) || seen.has(candidate.uid)) continue;
    seen.add(candidate.uid);
    candidates.push(candidate);
  }
  return candidates;
}

async function labelledObjects(client: KubeApiClient, apiVersion: string, kind: string, selector: string): Promise<PruneCandidate[]> {
  let resource: ApiResource;
  try {
    resource = await discoverResource(client, apiVersion, kind, `pruning ${kind} (${apiVersion})`);
  } catch (error) {
    // Not served by this server: it holds no such objects.
    if (error instanceof ApiNotServed) return [];
    throw error;
  }
  // The collection across namespaces: /apis/<group>/<version>/<resource>?labelSelector=...
  const base = resourcePath({ ...resource, namespaced: false }, undefined);
  const list = await client.request("GET", `${base}?labelSelector=${encodeURIComponent(selector)}`);
  if (list.status !== 200) throw apiError(list, `listing ${resource.name} labelled ${selector}`);
  return ((list.body?.items ?? []) as { metadata: { name: string; namespace?: string; uid: string } }[]).map((item) => ({
    name: objectName({ apiVersion, kind, metadata: item.metadata } as never, resource.namespaced ? item.metadata.namespace : undefined),
    path: resourcePath(resource, item.metadata.namespace, item.metadata.name),
    uid: item.metadata.uid,
  }));
}

/** Deletes what planPrune found (dependents in the background); one already gone is fine, one replaced since is left alone. */
export async function applyPrune(client: KubeApiClient, candidates: readonly PruneCandidate[]): Promise<void> {
  for (const candidate of candidates) {
    const options = { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background", preconditions: { uid: candidate.uid } };
    const response = await client.request("DELETE", candidate.path, { body: options });
    if (response.status === 404 || response.status === 409) continue;
    if (response.status < 200 || response.status >= 300) throw apiError(response, `deleting ${candidate.name}`);
  }
}
