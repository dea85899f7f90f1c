/**
 * The nodes as host-routes sees them: each inventory node's name, the address kubelet registered
 * (its Node's InternalIP) and the pod CIDR the controller-manager allocated (spec.podCIDR), read
 * from Node objects. Pure, so the messages are unit-tested.
 */

export interface ClusterNode {
  readonly name: string;
  /** The node's InternalIP: the next hop of the route to its pods. */
  readonly address: string;
  readonly podCidr: string;
}

/** What `GET /api/v1/nodes` says about the inventory's nodes. */
export interface NodeReading {
  readonly nodes: readonly ClusterNode[];
  /** One line per inventory node that cannot be used yet, naming it and what to check. */
  readonly problems: readonly string[];
}

interface NodeObject {
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly podCIDR?: string };
  readonly status?: { readonly addresses?: readonly { readonly type?: string; readonly address?: string }[] };
}

export function readNodes(inventoryNodes: readonly string[], items: readonly NodeObject[], clusterCidr: string): NodeReading {
  const byName = new Map(items.map((item) => [item.metadata?.name, item]));
  const nodes: ClusterNode[] = [];
  const problems: string[] = [];
  for (const name of inventoryNodes) {
    const item = byName.get(name);
    if (!item) {
      problems.push(`node ${name} is not registered with the API server: check kubelet on ${name} (systemctl status kubelet; journalctl -u kubelet), which registers it under its inventory name`);
      continue;
    }
    const podCidr = item.spec?.podCIDR;
    if (!podCidr) {
      problems.push(`node ${name} has no pod CIDR: the controller-manager allocates them with kube_network_plugin host-routes (--allocate-node-cidrs, --cluster-cidr ${clusterCidr}); check that the masters run with it (playbooks/kube-master.ts) and that ${clusterCidr} has room for every node`);
      continue;
    }
    const address = item.status?.addresses?.find((a) => a.type === "InternalIP" && a.address && !a.address.includes(":"))?.address;
    if (!address) {
      problems.push(`node ${name} reports no IPv4 InternalIP address: check kubelet's --node-ip on ${name}`);
      continue;
    }
    nodes.push({ name, address, podCidr });
  }
  return { nodes, problems };
}
