/**
 * podRoutes: the routes to the other nodes' pod CIDRs on this node, from its routing table: adds
 * or corrects the missing ones and removes the ones this role made for pod CIDRs no node has any
 * more. A route someone else made to one of those destinations is never touched: the task fails
 * naming it before any route is changed.
 */
import { OperationFailed, type Operation, type Plan } from "easy-kube";
import { networkFacts } from "./network-facts.ts";
import { ROUTE_PROTO, routeChanges, routeCommand, type PodRoute } from "./routes.ts";

export function podRoutes(wanted: readonly PodRoute[]): Operation {
  return {
    title: `routes to ${wanted.length} pod CIDR(s)`,
    async plan(target): Promise<Plan> {
      const { routes } = await target.facts.get(networkFacts, null);
      const changes = routeChanges(wanted, routes);
      if (changes.conflicts.length > 0) {
        throw new OperationFailed(
          `routes not made by easy-kube already lead to pod CIDRs of other nodes, and are left alone: ${changes.conflicts.map((r) => `'${r.line}'`).join(", ")}. Remove them (ip route del ...) or choose a kube_cluster_cidr that does not overlap them`,
        );
      }
      const commands = [
        ...changes.replace.map((route) => ({ line: `route ${route.dst} via ${route.via} dev ${route.dev}`, cmd: routeCommand(route) })),
        ...changes.remove.map((route) => ({ line: `remove route ${route.dst}${route.via ? ` via ${route.via}` : ""} (no node of the inventory has this pod CIDR)`, cmd: `ip route del ${route.dst} proto ${ROUTE_PROTO}` })),
      ];
      if (commands.length === 0) return { changes: [] };
      return {
        changes: commands.map((c) => c.line),
        async apply() {
          const result = await target.connection.run(commands.map((c) => c.cmd).join(" && "));
          target.facts.invalidate();
          if (result.code !== 0) throw new OperationFailed(`changing the routes failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
        },
      };
    },
  };
}
