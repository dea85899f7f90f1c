/**
 * nodeLabelsAndTaints: the Node object carries the labels and taints the inventory gives. Labels are
 * merged (others' labels stay); a taint is identified by key and effect, and taints others set (the
 * node lifecycle controller's not-ready taint) are kept. The patch carries the resourceVersion it
 * was computed from, so a concurrent change is refused rather than overwritten; a refused patch
 * (409) is computed again from a fresh read.
 */
import { KubeApiUnreachable, MissingCredentials, OperationFailed, type InventoryView, type KubeApiClient, type Operation } from "easy-kube";
import { nodeApiClient, sleep } from "./api-access.ts";
import type { KubeNodeVars } from "./node-context.ts";

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** "key=value:Effect" or "key:Effect"; a wrong one is a message for the role's check. */
export function parseTaint(text: string): Taint | string {
  const match = /^([^=:\s]+)(?:=([^:\s]*))?:(\w+)$/.exec(text);
  if (!match || !EFFECTS.includes(match[3]!)) return `taint '${text}' is not key[=value]:Effect with Effect one of ${EFFECTS.join(", ")}`;
  return { key: match[1]!, ...(match[2] !== undefined && match[2] !== "" && { value: match[2] }), effect: match[3]! };
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

export interface NodeMetadata {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly taints: readonly Taint[];
  /** Taint keys to take off (the `master` taint once the control plane's is `control-plane`). */
  readonly dropTaints: readonly string[];
}

export function nodeLabelsAndTaints(args: NodeMetadata & { host: string; vars: KubeNodeVars & { inventory_dir?: unknown }; inventory: InventoryView }): Operation {
  const { host } = args;
  return {
    title: `labels and taints of node ${host}`,
    async plan(target) {
      let client: ReturnType<typeof nodeApiClient>;
      try {
        client = nodeApiClient(target, args.vars, args.inventory);
      } catch (error) {
        // A dry run before the PKI exists (a real run's pki stage makes the admin identity first).
        if (target.check && error instanceof MissingCredentials) return { changes: [`label and taint node ${host} once it registered`] };
        throw error;
      }
      let closeNow = true;
      try {
        const path = `/api/v1/nodes/${encodeURIComponent(host)}`;
        let response;
        try {
          response = await client.request("GET", path);
        } catch (error) {
          // A dry run on fresh hosts: the apiserver an earlier stage starts is not there yet.
          if (target.check && error instanceof KubeApiUnreachable) return { changes: [`label and taint node ${host} once it registered`] };
          throw error;
        }
        // A node registers a moment after its certificate came: wait for it, except in a dry run.
        const deadline = Date.now() + args.vars.kube_node_join_timeout * 1000;
        while (response.status === 404 && !target.check && Date.now() < deadline) {
          await sleep(2000);
          response = await client.request("GET", path);
        }
        if (response.status === 404) {
          if (target.check) return { changes: [`label and taint node ${host} once it registered`] };
          throw new OperationFailed(`node ${host} did not register within ${args.vars.kube_node_join_timeout} s (see journalctl -u kubelet on ${host})`);
        }
        if (response.status !== 200) throw new OperationFailed(`GET ${path}: the API server answered ${response.status}`);
        const wanted = missingMetadata(response.body, args);
        if (wanted.changes.length === 0) return { changes: [] };
        closeNow = false;
        return {
          changes: wanted.changes,
          apply: async () => {
            try {
              await patchUntilApplied(client, path, args);
            } finally {
              client.close();
            }
          },
        };
      } finally {
        if (closeNow) client.close();
      }
    },
  };
}

interface NodeObject {
  readonly metadata: { readonly resourceVersion: string; readonly labels?: Record<string, string> };
  readonly spec?: { readonly taints?: Taint[] };
}

/** What the live Node lacks (or has too much) of the wanted metadata, and the merge patch that mends it (carrying the resourceVersion it was computed from). */
export function missingMetadata(live: NodeObject, wanted: NodeMetadata): { changes: string[]; patch: Record<string, unknown> } {
  const liveLabels = live.metadata.labels ?? {};
  const liveTaints = live.spec?.taints ?? [];
  const labels = Object.entries(wanted.labels).filter(([k, v]) => liveLabels[k] !== String(v));
  const taints = wanted.taints.filter((t) => !liveTaints.some((l) => sameTaint(l, t) && (l.value ?? "") === (t.value ?? "")));
  const dropped = liveTaints.filter((l) => wanted.dropTaints.includes(l.key) && !wanted.taints.some((t) => sameTaint(l, t)));
  const keep = liveTaints.filter((l) => !dropped.includes(l) && !taints.some((t) => sameTaint(l, t)));
  return {
    changes: [...labels.map(([k, v]) => `label ${k}=${v}`), ...taints.map((t) => `taint ${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`), ...dropped.map((t) => `remove taint ${t.key}:${t.effect}`)],
    patch: {
      metadata: { resourceVersion: live.metadata.resourceVersion, ...(labels.length > 0 && { labels: Object.fromEntries(labels.map(([k, v]) => [k, String(v)])) }) },
      ...((taints.length > 0 || dropped.length > 0) && { spec: { taints: [...keep, ...taints] } }),
    },
  };
}

/** A freshly registered node's status updates often move its resourceVersion between our read and our patch: a 409 re-reads and tries again. */
const CONFLICT_RETRIES = 10;

export async function patchUntilApplied(client: KubeApiClient, path: string, wanted: NodeMetadata): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const live = await client.expectOk("GET", path);
    const { changes, patch } = missingMetadata(live as NodeObject, wanted);
    if (changes.length === 0) return;
    const response = await client.request("PATCH", path, { body: patch, contentType: "application/merge-patch+json" });
    if (response.status === 200) return;
    if (response.status !== 409 || attempt >= CONFLICT_RETRIES) throw new OperationFailed(`PATCH ${path}: the API server answered ${response.status}${response.status === 409 ? ` ${CONFLICT_RETRIES} times (the node kept changing)` : ""}`);
    await sleep(200 * attempt);
  }
}
