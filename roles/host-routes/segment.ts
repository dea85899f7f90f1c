/**
 * host-routes sends a node's pod traffic to the other node's address directly, so every node
 * address must be on the link of this node's own address: in the subnet of the interface that
 * holds it. Checked from the node's own addresses before anything is changed.
 */
import type { ClusterNode } from "./cluster-nodes.ts";
import { ipv4Network, networkContains } from "easy-kube";

/** One line of `ip -o -4 addr show`: an interface and an address with its prefix. */
export interface InterfaceAddress {
  readonly dev: string;
  /** "10.213.0.3/24" */
  readonly cidr: string;
}

export function parseAddresses(output: string): InterfaceAddress[] {
  const addresses: InterfaceAddress[] = [];
  for (const line of output.split("\n")) {
    const match = /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(line.trim());
    if (match) addresses.push({ dev: match[1]!.replace(/@.*$/, ""), cidr: match[2]! });
  }
  return addresses;
}

export type SegmentCheck = { readonly dev: string; readonly problems: readonly [] } | { readonly dev?: undefined; readonly problems: readonly string[] };

/** The device the routes go out of (the one holding this node's address), or what is wrong. */
export function checkSegment(self: ClusterNode, addresses: readonly InterfaceAddress[], nodes: readonly ClusterNode[]): SegmentCheck {
  const own = addresses.find((a) => a.cidr.split("/")[0] === self.address);
  if (!own) {
    const held = addresses.map((a) => `${a.dev} ${a.cidr}`).join(", ") || "none";
    return { problems: [`node ${self.name}: its registered address ${self.address} is on none of its interfaces (${held})`] };
  }
  const network = ipv4Network(own.cidr)!;
  const outside = nodes.filter((n) => n.name !== self.name && !networkContains(network, n.address));
  if (outside.length === 0) return { dev: own.dev, problems: [] };
  return {
    problems: outside.map(
      (n) => `node ${n.name} (${n.address}) is not on node ${self.name}'s segment ${own.cidr} (${own.dev}): host-routes needs every node on one L2 segment (one subnet); for routed networks use calico or flannel`,
    ),
  };
}
