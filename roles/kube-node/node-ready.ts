/**
 * nodeReady: the node reports Ready, asked through the node's own API access. The network stage
 * ends with it, so a finished site.ts means usable nodes, not nodes that become Ready a little
 * later (a kubelet reports Ready only once its runtime found the pod network's CNI config). A node
 * not registered yet is waited for too; a timeout names the node and its conditions (the runtime's
 * message says what it still lacks).
 */
import { OperationFailed, readiness, type InventoryView, type Operation } from "easy-kube";
import { nodeApiClient, sleep } from "./api-access.ts";
import type { KubeNodeVars } from "./node-context.ts";

export function nodeReady(host: string, vars: KubeNodeVars & { inventory_dir?: unknown }, inventory: InventoryView, timeoutSeconds: number): Operation {
  return {
    title: `node ${host} Ready`,
    async plan(target) {
      // Waiting changes nothing; a dry run has nothing to wait for (an earlier stage's change was not made).
      if (target.check) return { changes: [], skipped: "check mode: nothing was changed to wait for" };
      const client = nodeApiClient(target, vars, inventory);
      const deadline = Date.now() + timeoutSeconds * 1000;
      let last = "not registered";
      try {
        for (;;) {
          const response = await client.request("GET", `/api/v1/nodes/${encodeURIComponent(host)}`);
          if (response.status === 200) {
            const state = readiness(response.body)!;
            if (state.ready) return { changes: [] };
            last = state.summary;
          } else if (response.status !== 404) {
            throw new OperationFailed(`GET node ${host}: the API server answered ${response.status}`);
          }
          if (Date.now() >= deadline) throw new OperationFailed(`node ${host} is not Ready after ${timeoutSeconds} s: ${last} (see journalctl -u kubelet on ${host})`);
          await sleep(2000);
        }
      } finally {
        client.close();
      }
    },
  };
}
