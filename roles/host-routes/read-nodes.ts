/**
 * Reads the inventory's nodes from the API server (Node objects: spec.podCIDR, the InternalIP),
 * with the PKI's admin identity, through the task host's SSH connection to the apiserver address
 * kubelet uses (pki_apiserver_url, else the first master's), so the control machine needs no route
 * to port 6443. On a fresh node kubelet has only just registered
 * it and the controller-manager allocates its pod CIDR a moment later, so a real run waits up to
 * `timeoutSeconds`, then fails naming each node and what to check. A dry run does not wait: what is
 * not there yet is made earlier in a real run, and the tasks that need it report that they skip.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { adminEndpoint, KubeApiClient, KubeApiUnreachable, OperationFailed, type Operation, type Plan, type TaskOutcome } from "easy-kube";
import { readNodes, type ClusterNode } from "./cluster-nodes.ts";

export interface ReadNodesArgs {
  readonly pkiDir: string;
  /** The apiserver's address as the task host reaches it (pki_apiserver_url's host, or a master's address). */
  readonly apiserverAddress: string;
  readonly apiserverPort: number;
  readonly inventoryNodes: readonly string[];
  readonly clusterCidr: string;
  readonly timeoutSeconds: number;
}

const POLL_MS = 2_000;

export function readClusterNodes(args: ReadNodesArgs): Operation {
  return {
    title: `read the pod CIDRs of ${args.inventoryNodes.join(", ")}`,
    async plan(target): Promise<Plan> {
      // A dry run before the PKI exists: a real run's pki stage makes the admin identity first.
      if (target.check && !existsSync(join(args.pkiDir, "admin.pem"))) return { changes: [], skipped: `not known yet (a real run makes the PKI and starts the cluster first)` };
      const client = new KubeApiClient(adminEndpoint(target.connection, { pkiDir: args.pkiDir, port: args.apiserverPort, address: args.apiserverAddress }));
      const deadline = Date.now() + args.timeoutSeconds * 1000;
      try {
        for (;;) {
          let problems: readonly string[];
          try {
            const list = await client.expectOk("GET", "/api/v1/nodes");
            const reading = readNodes(args.inventoryNodes, list.items ?? [], args.clusterCidr);
            if (reading.problems.length === 0) return { changes: [], data: { [NODES_KEY]: reading.nodes } };
            problems = reading.problems;
          } catch (error) {
            if (!(error instanceof KubeApiUnreachable)) throw error;
            problems = [error.message];
          }
          if (target.check) return { changes: [], skipped: `not known yet (a real run starts what makes them): ${problems.join("; ")}` };
          if (Date.now() >= deadline) throw new OperationFailed(`after waiting ${args.timeoutSeconds} s (host_routes_node_timeout):\n${problems.join("\n")}`);
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } finally {
        client.close();
      }
    },
  };
}

const NODES_KEY = "host_routes_nodes";

/** The nodes a `readClusterNodes` task registered; undefined when they are not known (a dry run on a fresh cluster). */
export function registeredNodes(outcome: TaskOutcome | undefined): readonly ClusterNode[] | undefined {
  return outcome?.data[NODES_KEY] as readonly ClusterNode[] | undefined;
}
