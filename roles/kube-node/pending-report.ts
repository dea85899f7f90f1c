/**
 * reportPendingRequests: after every node's own request was approved, the certificate requests still
 * pending are named with the reason the role refused them (a request for a name outside the
 * inventory, one with a key no kubelet holds, one from another identity). The operation fails with
 * that list so it shows in the run's output; its task ignores the failure, since such a request
 * changes nothing in the cluster until someone approves it.
 */
import { KubeApiUnreachable, MissingCredentials, OperationFailed, type InventoryView, type Operation } from "easy-kube";
import { nodeApiClient } from "./api-access.ts";
import { listRequests, reviewRules } from "./csr-approval.ts";
import { isPending, reviewRequest } from "./csr-review.ts";
import type { KubeNodeVars } from "./node-context.ts";

export function reportPendingRequests(args: { vars: KubeNodeVars & { inventory_dir?: unknown }; inventory: InventoryView }): Operation {
  return {
    title: "certificate requests left pending",
    async plan(target) {
      let client: ReturnType<typeof nodeApiClient>;
      try {
        client = nodeApiClient(target, args.vars, args.inventory);
      } catch (error) {
        if (target.check && error instanceof MissingCredentials) return { changes: [], skipped: "the PKI is made earlier in a real run" };
        throw error;
      }
      try {
        const pending = (await listRequests(client, args.vars.kube_version)).filter(isPending);
        // The nodes' own requests were approved by the tasks before; no key is trusted here.
        const rules = reviewRules(args.vars, args.inventory, () => undefined);
        const lines = pending.map((csr) => {
          const review = reviewRequest(csr, rules);
          return `${csr.metadata.name} (${csr.spec.username ?? "?"}): ${review.approve ? "not approved in this run" : review.reason}`;
        });
        if (lines.length > 0) throw new OperationFailed(`left pending, not approved by easy-kube: ${lines.join("; ")}`, { pending: pending.map((c) => c.metadata.name) });
        return { changes: [] };
      } catch (error) {
        if (target.check && error instanceof KubeApiUnreachable) return { changes: [], skipped: "the API server is started earlier in a real run" };
        throw error;
      } finally {
        client.close();
      }
    },
  };
}
