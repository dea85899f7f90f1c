/**
 * nodeLabelsAndTaints: the Node object carries the labels and taints the inventory gives. Labels are
 * merged (others' labels stay); a taint is identified by key and effect, and taints others set (the
 * node lifecycle controller's not-ready taint) are kept. The patch carries the resourceVersion it
 * was computed from, so a concurrent change is refused rather than overwritten.
 */
import { KubeApiUnreachable, MissingCredentials, OperationFailed, type InventoryView, type Operation } from "easy-kube";
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

export function nodeLabelsAndTaints(args: { host: string; labels: Readonly<Record<string, string | number>>; taints: readonly Taint[]; vars: KubeNodeVars & { inventory_dir?: unknown }; inventory: InventoryView }): Operation {
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
        const live = response.body;
        const liveLabels: Record<string, string> = live.metadata?.labels ?? {};
        const liveTaints: Taint[] = live.spec?.taints ?? [];
        const labels = Object.entries(args.labels).filter(([k, v]) => liveLabels[k] !== String(v));
        const taints = args.taints.filter((t) => !liveTaints.some((l) => sameTaint(l, t) && (l.value ?? "") === (t.value ?? "")));
        const changes = [...labels.map(([k, v]) => `label ${k}=${v}`), ...taints.map((t) => `taint ${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`)];
        if (changes.length === 0) return { changes: [] };
        closeNow = false;
        return {
          changes,
          apply: async () => {
            try {
              const patch = {
                metadata: { resourceVersion: live.metadata.resourceVersion, ...(labels.length > 0 && { labels: Object.fromEntries(labels.map(([k, v]) => [k, String(v)])) }) },
                ...(taints.length > 0 && { spec: { taints: [...liveTaints.filter((l) => !taints.some((t) => sameTaint(l, t))), ...taints] } }),
              };
              await client.expectOk("PATCH", path, { body: patch, contentType: "application/merge-patch+json" });
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
