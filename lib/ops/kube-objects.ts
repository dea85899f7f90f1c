/**
 * kubeObjects: makes Kubernetes objects match manifests (YAML text, e.g. a rendered template, or
 * objects). `plan` reads each live object and compares only what the manifest sets, so a re-run
 * reports nothing; `apply` creates, merge-patches, or (when the manifest changes an immutable
 * field) deletes and creates exactly the objects planned, in the manifests' order. `--diff` shows
 * each object's difference as YAML, Secrets' values masked. Optionally waits until Deployments are
 * rolled out, DaemonSets' pods ready and Nodes Ready.
 *
 * It talks to the API server with the admin credentials, from the control machine: through the
 * task host's SSH connection to 127.0.0.1:6443 there (run the task on a master), or directly to a
 * URL. A manifest's apiVersion is used as written and checked against what the server serves.
 */
import { KubeApiClient, KubeApiUnreachable } from "../kube/api-client.js";
import { adminCredentials, kubeconfigAccess, MissingCredentials, type KubeCredentials } from "../kube/credentials.js";
import { resourcePath } from "../kube/discovery.js";
import { directEndpoint, tunnelEndpoint, type KubeEndpoint } from "../kube/endpoint.js";
import { objectName, parseManifests, type KubeManifest } from "../kube/manifests.js";
import { applyObject, describeChange, objectDiff, planObject, type ObjectPlan } from "../kube/object-plan.js";
import { readiness, WAITABLE_KINDS } from "../kube/readiness.js";
import { waitUntilReady, type ReadinessTarget } from "../kube/wait-ready.js";
import { applyPrune, planPrune, type PruneCandidate, type PruneSpec } from "../kube/prune.js";
import { EasyKubeError } from "../errors.js";
import type { Operation, Plan, Target } from "./operation.js";

export interface KubeApiAccess {
  /** The PKI folder: the admin identity (ca.pem, admin.pem, admin-key.pem), read when the task runs. */
  readonly pkiDir?: string;
  /** A kubeconfig file whose current context's credentials are used (for its server too, pass `kubeconfigAccess(file).server` as `server`). */
  readonly kubeconfig?: string;
  readonly credentials?: KubeCredentials;
  /**
   * Reach the API server from the control machine at this URL (e.g. https://10.0.0.1:6443). Without
   * it, through the task host's SSH connection to 127.0.0.1:`port` there: run the task on a master.
   */
  readonly server?: string;
  /** The API server's port on the task host, for the SSH path. @default 6443 */
  readonly port?: number;
}

export interface KubeObjectsWait {
  /** @default 300 */
  readonly timeoutSeconds?: number;
  /** @default 2 */
  readonly intervalSeconds?: number;
}

export interface KubeObjectsArgs {
  /** YAML text (several documents allowed) or objects, or a list of them; applied in this order. */
  readonly manifests: string | object | readonly (string | object)[];
  /** Names the manifests in messages (the template's path). @default "manifest" */
  readonly source?: string;
  readonly api: KubeApiAccess;
  /** Wait until Deployments are rolled out, DaemonSets' pods ready, Nodes Ready. */
  readonly wait?: boolean | KubeObjectsWait;
  /** Labels added to every object's metadata (an add-on's, which pruning selects by). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Delete the objects carrying the selector's label that the manifests no longer hold (lib/kube/prune.ts). */
  readonly prune?: PruneSpec;
  /**
   * The API server (and the PKI) are made by earlier tasks of the same run: a dry run, which makes
   * nothing, reports every object as created instead of failing to reach the server.
   */
  readonly apiStartedByRun?: boolean;
}

export function kubeObjects(args: KubeObjectsArgs): Operation {
  const source = args.source ?? "manifest";
  const manifests = parseManifests(args.manifests, source).map((m) => (args.labels ? withLabels(m, args.labels) : m));
  const names = manifests.map((m) => objectName(m.object, m.object.metadata.namespace));
  return {
    title: `kubernetes objects ${names.length === 1 ? names[0] : `from ${source} (${names.length})`}`,
    plan: (target) => planObjects(target, args, manifests),
  };
}

async function planObjects(target: Target, args: KubeObjectsArgs, manifests: readonly KubeManifest[]): Promise<Plan> {
  let client: KubeApiClient | undefined;
  let plans: ObjectPlan[];
  let pruning: PruneCandidate[] = [];
  try {
    client = new KubeApiClient(endpointFor(target, args.api));
    const reading = client;
    plans = await Promise.all(manifests.map((manifest) => planObject(reading, manifest)));
    if (args.prune) pruning = await planPrune(reading, args.prune, new Set(plans.map((p) => p.name)));
  } catch (error) {
    client?.close();
    // A dry run makes neither the PKI nor the API server that a real run makes before this task.
    if ((error instanceof KubeApiUnreachable || error instanceof MissingCredentials) && target.check && args.apiStartedByRun) {
      return { changes: manifests.map((m) => `create ${objectName(m.object, m.object.metadata.namespace)} (the API server is started earlier in a real run)`) };
    }
    throw error;
  }
  const changing = plans.filter((p) => p.action !== "none");
  const wait = waitSettings(args.wait);
  const waitFor = async () => {
    if (wait) await waitUntilReady(client, plans.filter((p) => WAITABLE_KINDS.has(p.manifest.object.kind)).map(readinessTarget), wait.timeoutMs, wait.intervalMs);
  };
  if (changing.length === 0 && pruning.length === 0) {
    // Nothing to change, but an object may still be rolling out (a run that timed out before).
    try {
      const unready = plans.some((p) => readiness(p.live)?.ready === false);
      if (wait && unready && !target.check) await waitFor();
    } finally {
      client.close();
    }
    return { changes: [] };
  }
  return {
    changes: [...changing.map(describeChange), ...pruning.map((p) => `delete ${p.name} (no longer in ${args.source ?? "the manifests"})`)],
    diffs: target.diff ? changing.map(objectDiff) : [],
    async apply() {
      try {
        for (const plan of changing) await applyObject(client, plan);
        // After the new objects are in place: a renamed Service or Deployment takes over first.
        await applyPrune(client, pruning);
        await waitFor();
      } finally {
        client.close();
      }
    },
  };
}

function endpointFor(target: Target, api: KubeApiAccess): KubeEndpoint {
  const given = [api.pkiDir, api.kubeconfig, api.credentials].filter((x) => x !== undefined).length;
  if (given !== 1) throw new EasyKubeError("kubeObjects: give exactly one of api.pkiDir, api.kubeconfig or api.credentials");
  const credentials = api.credentials ?? (api.pkiDir !== undefined ? adminCredentials(api.pkiDir) : kubeconfigAccess(api.kubeconfig!).credentials);
  if (api.server !== undefined) return directEndpoint(api.server, credentials);
  return tunnelEndpoint(target.connection, api.port ?? 6443, credentials);
}

function withLabels(manifest: KubeManifest, labels: Readonly<Record<string, string>>): KubeManifest {
  const { object } = manifest;
  return { ...manifest, object: { ...object, metadata: { ...object.metadata, labels: { ...(object.metadata.labels as Record<string, string> | undefined), ...labels } } } };
}

function readinessTarget(plan: ObjectPlan): ReadinessTarget {
  return { name: plan.name, path: resourcePath(plan.resource, plan.namespace, plan.manifest.object.metadata.name) };
}

function waitSettings(wait: KubeObjectsArgs["wait"]): { timeoutMs: number; intervalMs: number } | undefined {
  if (!wait) return undefined;
  const settings = wait === true ? {} : wait;
  return { timeoutMs: (settings.timeoutSeconds ?? 300) * 1000, intervalMs: (settings.intervalSeconds ?? 2) * 1000 };
}
