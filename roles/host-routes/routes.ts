/**
 * The routes host-routes keeps on a node: one to every other node's pod CIDR through that node's
 * address. Its own routes carry the route protocol number ROUTE_PROTO, so it finds them again and
 * never changes or removes a route someone else made (`ip route replace` would overwrite any
 * route to the same destination: a destination taken by another route is an error instead).
 */
import type { ClusterNode } from "./cluster-nodes.ts";

/** Not in iproute2's rt_protos (0-18, 42, 99, 186-192 are taken there); `ip route show proto 147` lists exactly ours. */
export const ROUTE_PROTO = "147";

export interface PodRoute {
  readonly dst: string;
  readonly via: string;
  readonly dev: string;
}

/** A line of `ip -4 route show`, as far as host-routes needs it. */
export interface LiveRoute {
  readonly dst: string;
  readonly via?: string;
  readonly dev?: string;
  /** "kernel", "boot", "static", "147", ...; ip omits it for boot routes on older versions. */
  readonly proto?: string;
  readonly line: string;
}

export function wantedRoutes(self: string, nodes: readonly ClusterNode[], dev: string): PodRoute[] {
  return nodes.filter((n) => n.name !== self).map((n) => ({ dst: n.podCidr, via: n.address, dev }));
}

export interface RouteChanges {
  /** Missing, or ours but through another address or device. */
  readonly replace: readonly PodRoute[];
  /** Ours, to a pod CIDR no node of the inventory has any more. */
  readonly remove: readonly LiveRoute[];
  /** Routes someone else made to a destination host-routes needs: never touched, reported. */
  readonly conflicts: readonly LiveRoute[];
}

export function routeChanges(wanted: readonly PodRoute[], live: readonly LiveRoute[]): RouteChanges {
  const ours = live.filter((r) => r.proto === ROUTE_PROTO);
  const wantedDsts = new Set(wanted.map((r) => r.dst));
  return {
    replace: wanted.filter((w) => !ours.some((r) => r.dst === w.dst && r.via === w.via && r.dev === w.dev)),
    remove: ours.filter((r) => !wantedDsts.has(r.dst)),
    conflicts: live.filter((r) => r.proto !== ROUTE_PROTO && wantedDsts.has(r.dst)),
  };
}

/** `ip -4 route show` output: destination first, then key/value pairs and single-word flags. */
export function parseRoutes(output: string): LiveRoute[] {
  const routes: LiveRoute[] = [];
  for (const raw of output.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    // A route type may come first ("unreachable 10.0.0.0/8", "local ..."): the destination follows it.
    const typed = ["unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit", "blackhole", "nat", "anycast"].includes(words[0]!);
    const dst = words[typed ? 1 : 0]!;
    const value = (key: string) => {
      const at = words.indexOf(key, typed ? 2 : 1);
      return at > 0 ? words[at + 1] : undefined;
    };
    routes.push({ dst: dst.includes("/") || dst === "default" ? dst : `${dst}/32`, via: value("via"), dev: value("dev"), proto: value("proto"), line });
  }
  return routes;
}

/** The command for a route; the same words for the live change and the boot-time unit. */
export function routeCommand(route: PodRoute, ip = "ip"): string {
  return `${ip} route replace ${route.dst} via ${route.via} dev ${route.dev} proto ${ROUTE_PROTO}`;
}
