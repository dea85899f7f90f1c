/**
 * The host-routes role's decisions, as pure functions: the routes a node wants from the node list,
 * which live routes are stale or someone else's, the one-segment check, what the API's Node
 * objects say, and the CNI config by version (kept as reviewed files for the guide's 1.7.11 with
 * CNI plugins 0.6.0 and the lab's 1.20.2 with Debian's 1.1.1). The route planner also runs on
 * recorded `ip` output, as the role reads it on a node.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { RecordedFacts } from "../../lib/facts/fact.js";
import type { Target } from "../../lib/ops/operation.js";
import { renderTemplate } from "../../lib/ops/render-template.js";
import { readNodes, type ClusterNode } from "../../roles/host-routes/cluster-nodes.js";
import { cniConfig, cniSpecVersion } from "../../roles/host-routes/cni-config.js";
import { forwardRules, masqueradeRule, ruleEnsure } from "../../roles/host-routes/iptables-rules.js";
import { podRoutes } from "../../roles/host-routes/pod-routes.js";
import { parseRoutes, routeChanges, routeCommand, wantedRoutes } from "../../roles/host-routes/routes.js";
import { checkSegment, parseAddresses } from "../../roles/host-routes/segment.js";

const nodes: ClusterNode[] = [
  { name: "lab1", address: "10.213.0.2", podCidr: "172.30.0.0/24" },
  { name: "lab2", address: "10.213.0.3", podCidr: "172.30.1.0/24" },
  { name: "lab3", address: "10.213.0.4", podCidr: "172.30.2.0/24" },
];

// `ip -4 route show table main` on lab1 after a run, with a node (172.30.9.0/24) since removed from
// the inventory, a user's own route, and routes other programs made.
const ROUTES_LAB1 = `default via 10.213.0.1 dev host0 proto static
10.213.0.0/24 dev host0 proto kernel scope link src 10.213.0.2
172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
172.30.0.0/24 dev cni0 proto kernel scope link src 172.30.0.1
172.30.1.0/24 via 10.213.0.3 dev host0 proto 147
172.30.2.0/24 via 10.213.0.9 dev host0 proto 147
172.30.9.0/24 via 10.213.0.8 dev host0 proto 147
192.168.50.0/24 via 10.213.0.1 dev host0
unreachable 10.99.0.0/16 proto static
`;

const ADDRESSES_LAB1 = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: host0@if5    inet 10.213.0.2/24 brd 10.213.0.255 scope global host0\\       valid_lft forever preferred_lft forever
3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever preferred_lft forever
`;

describe("routes wanted from the node list", () => {
  it("one route to every other node's pod CIDR through its address, none to the node's own", () => {
    expect(wantedRoutes("lab1", nodes, "host0")).toEqual([
      { dst: "172.30.1.0/24", via: "10.213.0.3", dev: "host0" },
      { dst: "172.30.2.0/24", via: "10.213.0.4", dev: "host0" },
    ]);
    expect(wantedRoutes("lab1", nodes.slice(0, 1), "host0")).toEqual([]);
  });

  it("the command carries easy-kube's route protocol", () => {
    expect(routeCommand({ dst: "172.30.1.0/24", via: "10.213.0.3", dev: "host0" }, "/sbin/ip")).toBe("/sbin/ip route replace 172.30.1.0/24 via 10.213.0.3 dev host0 proto 147");
  });
});

describe("live routes", () => {
  const live = parseRoutes(ROUTES_LAB1);

  it("are parsed from ip's output", () => {
    expect(live.map((r) => [r.dst, r.via, r.dev, r.proto])).toEqual([
      ["default", "10.213.0.1", "host0", "static"],
      ["10.213.0.0/24", undefined, "host0", "kernel"],
      ["172.17.0.0/16", undefined, "docker0", "kernel"],
      ["172.30.0.0/24", undefined, "cni0", "kernel"],
      ["172.30.1.0/24", "10.213.0.3", "host0", "147"],
      ["172.30.2.0/24", "10.213.0.9", "host0", "147"],
      ["172.30.9.0/24", "10.213.0.8", "host0", "147"],
      ["192.168.50.0/24", "10.213.0.1", "host0", undefined],
      ["10.99.0.0/16", undefined, undefined, "static"],
    ]);
  });

  it("ours that are right stay, ours through another address are replaced, ours to pod CIDRs no node has are removed", () => {
    const changes = routeChanges(wantedRoutes("lab1", nodes, "host0"), live);
    expect(changes.replace).toEqual([{ dst: "172.30.2.0/24", via: "10.213.0.4", dev: "host0" }]);
    expect(changes.remove.map((r) => r.dst)).toEqual(["172.30.9.0/24"]);
    expect(changes.conflicts).toEqual([]);
  });

  it("a node removed from the inventory: its route is stale on the others", () => {
    const converged = parseRoutes("172.30.1.0/24 via 10.213.0.3 dev host0 proto 147\n172.30.2.0/24 via 10.213.0.4 dev host0 proto 147\n");
    const changes = routeChanges(wantedRoutes("lab1", nodes.slice(0, 2), "host0"), converged);
    expect(changes.replace).toEqual([]);
    expect(changes.remove.map((r) => r.dst)).toEqual(["172.30.2.0/24"]);
  });

  it("someone else's route to a pod CIDR is a conflict, never replaced or removed", () => {
    const theirs = parseRoutes("172.30.1.0/24 via 10.213.0.1 dev host0\n172.30.2.0/24 via 10.213.0.1 dev host0 proto static metric 100\n");
    const changes = routeChanges(wantedRoutes("lab1", nodes, "host0"), theirs);
    expect(changes.conflicts.map((r) => r.dst)).toEqual(["172.30.1.0/24", "172.30.2.0/24"]);
    expect(changes.remove).toEqual([]);
  });

  it("the planner reads them from the node: changes listed, a conflict fails naming the route", async () => {
    const target = (routes: string): Target => ({
      name: "lab1",
      connection: { host: "lab1", commandCount: 0, run: () => Promise.reject(new Error("the check half must only read facts")), close: async () => {} },
      facts: new RecordedFacts({ "host_routes_network:null": { stdout: `${ADDRESSES_LAB1}--- routes ---\n${routes}` } }),
      diff: false,
      check: true,
    });
    const wanted = wantedRoutes("lab1", nodes, "host0");
    expect((await podRoutes(wanted).plan(target(ROUTES_LAB1))).changes).toEqual([
      "route 172.30.2.0/24 via 10.213.0.4 dev host0",
      "remove route 172.30.9.0/24 via 10.213.0.8 (no node of the inventory has this pod CIDR)",
    ]);
    expect((await podRoutes(wanted).plan(target("172.30.1.0/24 via 10.213.0.3 dev host0 proto 147\n172.30.2.0/24 via 10.213.0.4 dev host0 proto 147\n"))).changes).toEqual([]);
    await expect(podRoutes(wanted).plan(target("172.30.1.0/24 via 10.213.0.1 dev host0\n"))).rejects.toThrow("'172.30.1.0/24 via 10.213.0.1 dev host0'");
  });
});

describe("one L2 segment", () => {
  const addresses = parseAddresses(ADDRESSES_LAB1);

  it("addresses are read with their prefixes", () => {
    expect(addresses).toEqual([
      { dev: "lo", cidr: "127.0.0.1/8" },
      { dev: "host0", cidr: "10.213.0.2/24" },
      { dev: "docker0", cidr: "172.17.0.1/16" },
    ]);
  });

  it("every node on the subnet of this node's interface: routes go out of it", () => {
    expect(checkSegment(nodes[0]!, addresses, nodes)).toEqual({ dev: "host0", problems: [] });
  });

  it("a node on another subnet is named, with this node's segment", () => {
    const far = [...nodes, { name: "far1", address: "10.214.0.5", podCidr: "172.30.3.0/24" }];
    const check = checkSegment(nodes[0]!, addresses, far);
    expect(check.dev).toBeUndefined();
    expect(check.problems).toEqual([
      "node far1 (10.214.0.5) is not on node lab1's segment 10.213.0.2/24 (host0): host-routes needs every node on one L2 segment (one subnet); for routed networks use calico or flannel",
    ]);
  });

  it("a registered address the node does not hold is named", () => {
    expect(checkSegment({ ...nodes[0]!, address: "10.213.0.77" }, addresses, nodes).problems[0]).toBe(
      "node lab1: its registered address 10.213.0.77 is on none of its interfaces (lo 127.0.0.1/8, host0 10.213.0.2/24, docker0 172.17.0.1/16)",
    );
  });

});

describe("the nodes the API server knows", () => {
  const node = (name: string, podCIDR?: string, address?: string) => ({
    metadata: { name },
    spec: podCIDR ? { podCIDR } : {},
    status: { addresses: [{ type: "Hostname", address: name }, ...(address ? [{ type: "InternalIP", address }] : [])] },
  });

  it("the inventory's nodes with their pod CIDRs and InternalIPs; other Node objects are ignored", () => {
    expect(readNodes(["lab1", "lab2"], [node("lab2", "172.30.1.0/24", "10.213.0.3"), node("lab1", "172.30.0.0/24", "10.213.0.2"), node("gone", "172.30.9.0/24", "10.213.0.8")], "172.30.0.0/16")).toEqual({
      nodes: [nodes[0], nodes[1]],
      problems: [],
    });
  });

  it("a node not registered, one without a pod CIDR, one without an address: each named with what to check", () => {
    const { nodes: found, problems } = readNodes(["lab1", "lab2", "lab3"], [node("lab2"), node("lab3", "172.30.2.0/24")], "172.30.0.0/16");
    expect(found).toEqual([]);
    expect(problems).toEqual([
      "node lab1 is not registered with the API server: check kubelet on lab1 (systemctl status kubelet; journalctl -u kubelet), which registers it under its inventory name",
      "node lab2 has no pod CIDR: the controller-manager allocates them with kube_network_plugin host-routes (--allocate-node-cidrs, --cluster-cidr 172.30.0.0/16); check that the masters run with it (playbooks/kube-master.ts) and that 172.30.0.0/16 has room for every node",
      "node lab3 reports no IPv4 InternalIP address: check kubelet's --node-ip on lab3",
    ]);
  });
});

describe("CNI config by version", () => {
  it("the newest spec both kubelet's CNI library and the plugins speak", () => {
    expect(cniSpecVersion("1.7.11", "0.6.0")).toBe("0.3.1");
    expect(cniSpecVersion("1.7.11", "1.1.1")).toBe("0.3.1");
    expect(cniSpecVersion("1.15.12", "0.8.7")).toBe("0.3.1");
    expect(cniSpecVersion("1.16.0", "0.7.5")).toBe("0.3.1");
    expect(cniSpecVersion("1.16.0", "0.8.0")).toBe("0.4.0");
    expect(cniSpecVersion("1.20.2", "1.1.1")).toBe("0.4.0");
    expect(cniSpecVersion("v1.20.2", "v1.1.1")).toBe("0.4.0");
  });

  const rendered = (name: string) => join(import.meta.dirname, "../fixtures/rendered", name);

  it("1.20.2 with Debian's plugins 1.1.1 (the lab): kept as a reviewed file", async () => {
    const text = cniConfig({ kubeVersion: "1.20.2", cniVersion: "1.1.1", podCidr: "172.30.1.0/24", bridge: "cni0" });
    await expect(text).toMatchFileSnapshot(rendered("cni-host-routes-1.20.2.conflist"));
    expect(JSON.parse(text).plugins[0]).toMatchObject({ type: "bridge", hairpinMode: true, isGateway: true, ipMasq: false, ipam: { subnet: "172.30.1.0/24", gateway: "172.30.1.1" } });
  });

  it("1.7.11 with the guide's plugins 0.6.0: kept as a reviewed file", async () => {
    await expect(cniConfig({ kubeVersion: "1.7.11", cniVersion: "0.6.0", podCidr: "172.30.3.0/24", bridge: "cni0" })).toMatchFileSnapshot(rendered("cni-host-routes-1.7.11.conflist"));
  });

  it("the boot-time unit for lab1: routes and iptables rules, kept as a reviewed file", async () => {
    const unit = renderTemplate(join(import.meta.dirname, "../../roles/host-routes/templates/easy-kube-pod-network.service.hbs"), {
      route_proto: "147",
      routes: wantedRoutes("lab1", nodes, "host0").map((r) => routeCommand(r, "/sbin/ip")),
      rules: [...forwardRules("172.30.0.0/16"), masqueradeRule("172.30.0.0/16")].map((r) => ruleEnsure(r)),
    });
    await expect(unit).toMatchFileSnapshot(rendered("cni-host-routes-easy-kube-pod-network.service"));
  });
});
