/**
 * One manifest against the live cluster: read the live object, decide create / update / replace /
 * nothing from what the manifest sets, describe that in one line (and as a YAML diff), and make
 * exactly that change.
 *
 * Updates are JSON merge patches of the manifest's fields (served by the 1.7 and the 1.20 APIs
 * alike, for every kind including custom resources): fields the manifest does not set stay as the
 * server and controllers made them (a ServiceAccount's token secrets, a Service's clusterIP), and
 * lists are replaced by the manifest's, which is how they are compared. The patch carries the live
 * resourceVersion, so a change made by someone else since the plan is never overwritten blindly.
 */
import { yaml } from "../util/lazy-yaml.js";
import { EasyKubeError } from "../errors.js";
import type { FileDiff } from "../ops/operation.js";
import { apiError, type KubeApiClient } from "./api-client.js";
import { fieldDifferences, projectOnto, type FieldDifference } from "./compare.js";
import { discoverResource, resourcePath, type ApiResource } from "./discovery.js";
import { immutableFieldsTouched } from "./immutable-fields.js";
import { objectName, type KubeManifest } from "./manifests.js";
import { isSecretKind, isSecretValuePath, maskSecretPair } from "./secret-masking.js";

export type ObjectAction = "create" | "update" | "replace" | "none";

export interface ObjectPlan {
  readonly manifest: KubeManifest;
  readonly resource: ApiResource;
  /** For namespaced kinds: the manifest's namespace, else "default". */
  readonly namespace: string | undefined;
  /** "Deployment kube-system/coredns" */
  readonly name: string;
  readonly action: ObjectAction;
  readonly live: any;
  readonly differences: readonly FieldDifference[];
  /** For "replace": the immutable fields the manifest changes. */
  readonly immutable: readonly string[];
}

const CHANGES_SHOWN = 5;
const DELETE_TIMEOUT_MS = 60_000;
const PATCH_ATTEMPTS = 3;

export async function planObject(client: KubeApiClient, manifest: KubeManifest): Promise<ObjectPlan> {
  const { object } = manifest;
  const what = `${manifest.origin}: ${object.kind}/${object.metadata.name} (${object.apiVersion})`;
  const resource = await discoverResource(client, object.apiVersion, object.kind, what);
  if (!resource.namespaced && object.metadata.namespace) throw new EasyKubeError(`${what}: ${object.kind} is not namespaced; remove metadata.namespace (${object.metadata.namespace})`);
  const namespace = resource.namespaced ? (object.metadata.namespace ?? "default") : undefined;
  const response = await client.request("GET", resourcePath(resource, namespace, object.metadata.name));
  if (response.status !== 200 && response.status !== 404) throw apiError(response, `reading ${objectName(object, namespace)}`);
  return decideObject(manifest, resource, namespace, response.status === 404 ? undefined : response.body);
}

/** The decision alone, from the live object (undefined: there is none). */
export function decideObject(manifest: KubeManifest, resource: ApiResource, namespace: string | undefined, live: any): ObjectPlan {
  const name = objectName(manifest.object, namespace);
  if (live === undefined) return { manifest, resource, namespace, name, action: "create", live, differences: [], immutable: [] };
  const differences = fieldDifferences(manifest.object, live);
  const immutable = immutableFieldsTouched(manifest.object.kind, differences);
  const action: ObjectAction = differences.length === 0 ? "none" : immutable.length > 0 ? "replace" : "update";
  return { manifest, resource, namespace, name, action, live, differences, immutable };
}

/** "create ClusterRoleBinding/kubelet-bootstrap", "update Deployment kube-system/x: spec.replicas 1 -> 3". */
export function describeChange(plan: ObjectPlan): string {
  if (plan.action === "create") return `create ${plan.name}`;
  const secret = isSecretKind(plan.manifest.object.kind);
  const shown = plan.differences.slice(0, CHANGES_SHOWN).map((d) => (secret && isSecretValuePath(d.path) ? `${d.path} (secret value ${d.live === undefined ? "added" : "changed"})` : `${d.path} ${show(d.live)} -> ${show(d.wanted)}`));
  const more = plan.differences.length > CHANGES_SHOWN ? `, and ${plan.differences.length - CHANGES_SHOWN} more` : "";
  const why = plan.action === "replace" ? ` (delete and create: ${plan.immutable.join(", ")} cannot change in place)` : "";
  return `${plan.action} ${plan.name}${why}: ${shown.join(", ")}${more}`;
}

/** The object's difference as YAML: the live fields the manifest sets against the manifest; Secrets' values masked. */
export function objectDiff(plan: ObjectPlan): FileDiff {
  const wanted = plan.manifest.object;
  let before: unknown = plan.live === undefined ? undefined : projectOnto(plan.live, wanted);
  let after: unknown = wanted;
  if (isSecretKind(wanted.kind)) ({ before, after } = maskSecretPair(before, after));
  return { path: plan.name, before: before === undefined ? "" : yaml.stringify(before), after: yaml.stringify(after) };
}

export async function applyObject(client: KubeApiClient, plan: ObjectPlan): Promise<void> {
  const { object } = plan.manifest;
  const itemPath = resourcePath(plan.resource, plan.namespace, object.metadata.name);
  switch (plan.action) {
    case "create":
      return create(client, plan);
    case "update":
      return patch(client, plan, itemPath);
    case "replace":
      await remove(client, plan, itemPath);
      return create(client, plan);
    case "none":
      return;
  }
}

async function create(client: KubeApiClient, plan: ObjectPlan): Promise<void> {
  const response = await client.request("POST", resourcePath(plan.resource, plan.namespace), { body: plan.manifest.object });
  if (response.status === 409) throw new EasyKubeError(`creating ${plan.name}: it was created by someone else since it was checked; run again to compare with it`);
  if (response.status < 200 || response.status >= 300) throw apiError(response, `creating ${plan.name}`);
}

/**
 * The merge patch, with the live resourceVersion. A conflict (a controller wrote the object since
 * the plan, as they often do to status) is retried only while the differences are still the ones
 * planned; otherwise the run stops rather than change something it did not report.
 */
async function patch(client: KubeApiClient, plan: ObjectPlan, itemPath: string): Promise<void> {
  const planned = JSON.stringify(plan.differences);
  let live = plan.live;
  for (let attempt = 1; ; attempt++) {
    const body = { ...plan.manifest.object, metadata: { ...plan.manifest.object.metadata, resourceVersion: live.metadata.resourceVersion } };
    const response = await client.request("PATCH", itemPath, { body, contentType: "application/merge-patch+json" });
    if (response.status >= 200 && response.status < 300) return;
    if (response.status !== 409 || attempt >= PATCH_ATTEMPTS) throw apiError(response, `updating ${plan.name}`);
    const reread = await client.request("GET", itemPath);
    if (reread.status !== 200) throw apiError(reread, `reading ${plan.name} again`);
    live = reread.body;
    if (JSON.stringify(fieldDifferences(plan.manifest.object, live)) !== planned) {
      throw new EasyKubeError(`updating ${plan.name}: someone else changed it since it was checked; run again to compare with the new state`);
    }
  }
}

/** Deletes (dependents in the background) and waits until the name is free for the new object. */
async function remove(client: KubeApiClient, plan: ObjectPlan, itemPath: string): Promise<void> {
  const options = { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background", preconditions: { uid: plan.live.metadata.uid } };
  const response = await client.request("DELETE", itemPath, { body: options });
  if (response.status !== 404 && (response.status < 200 || response.status >= 300)) throw apiError(response, `deleting ${plan.name} to create it again`);
  const deadline = Date.now() + DELETE_TIMEOUT_MS;
  for (;;) {
    const current = await client.request("GET", itemPath);
    if (current.status === 404 || (current.status === 200 && current.body?.metadata?.uid !== plan.live.metadata.uid)) return;
    if (Date.now() > deadline) {
      const finalizers = current.body?.metadata?.finalizers ?? [];
      throw new EasyKubeError(`deleting ${plan.name} to create it again: still there after ${DELETE_TIMEOUT_MS / 1000} s${finalizers.length ? ` (finalizers: ${finalizers.join(", ")})` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function show(value: unknown): string {
  if (value === undefined) return "(none)";
  if (typeof value === "string") return /^[\w.:/@=+-]+$/.test(value) && value.length <= 60 ? value : JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
