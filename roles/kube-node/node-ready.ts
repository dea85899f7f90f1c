/**
 * nodeReady: the node reports Ready, asked through the node's own API access. The network stage
 * ends with it, so a finished site.ts means usable nodes, not nodes that become Ready a little
 * later (a kubelet reports Ready only once its runtime found the pod network's CNI config). A
 * timeout names the node and its conditions (the runtime's message says what it still lacks).
 */
import { waitUntilReady, type InventoryView, type Operation } from "easy-kube";
import { nodeApiClient } from "./api-access.ts";
import type { KubeNodeVars } from "./node-context.ts";

export function nodeReady(host: string, vars: KubeNodeVars & { inventory_dir?: unknown }, inventory: InventoryView, timeoutSeconds: number): Operation {
  return {
    title: `node ${host} Ready`,
    async plan(target) {
      // Waiting changes nothing; a dry run has nothing to wait for (an earlier stage's change was not made).
      if (target.check) return { changes: [], skipped: "check mode: nothing was changed to wait for" };
      const client = nodeApiClient(target, vars, inventory);
      try {
        await waitUntilReady(client, [{ name: `Node ${host}`, path: `/api/v1/nodes/${encodeURIComponent(host)}` }], timeoutSeconds * 1000, 2000);
      } finally {
        client.close();
      }
      return { changes: [] };
    },
  };
}
