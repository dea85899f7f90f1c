/**
 * The host-routes pod network (kube_network_plugin: host-routes), for nodes on one L2 segment: the
 * controller-manager gives each node a pod CIDR; each node gets the bundle's CNI plugins and a
 * bridge config with host-local addresses from its pod CIDR, a route to every other node's pod CIDR
 * through that node's address, and the iptables rules for pod traffic; a oneshot unit makes the
 * same at boot. Nothing changes on any node until every node's pod CIDR is known and every node
 * address is on each node's segment (the network stage's play stops at the first failure).
 */
import { command, copy, defineRole, file, knownKubeVersion, onlyOnGroup, OperationFailed, systemd, template, type InventoryView, type Operation, type TaskContext, type VarsOf } from "easy-kube";
import { bundleHasComponent, installFromBundle } from "easy-kube/bundle";
import { kubeMasterDefaults } from "../kube-master/defaults.ts";
import { apiserverAccess, pkiDirOf, urlHostPort } from "easy-kube/pki";
import type { ClusterNode } from "./cluster-nodes.ts";
import { CNI_CONFIG_FILE, cniConfig } from "./cni-config.ts";
import { hostRoutesDefaults } from "./defaults.ts";
import { forwardRules, masqueradeRule, ruleAdd, ruleCheck, ruleDelete, ruleEnsure, type IptablesRule } from "./iptables-rules.ts";
import { networkFacts } from "./network-facts.ts";
import { podRoutes } from "./pod-routes.ts";
import { readClusterNodes, registeredNodes } from "./read-nodes.ts";
import { ROUTE_PROTO, routeCommand, wantedRoutes } from "./routes.ts";
import { checkSegment } from "./segment.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof hostRoutesDefaults>;
type Context = TaskContext<Vars>;

export const UNIT = "easy-kube-pod-network";
const RESTART = `restart ${UNIT}`;
const NODES = "host_routes_nodes";
const SEGMENT = "host_routes_segment";

/** Every node of the cluster: routes lead to each, and each must be registered. */
function inventoryNodes(inventory: InventoryView): string[] {
  return inventory.groupHosts("kube_node");
}

/** The apiserver as this node's kubelet reaches it (its kubeconfigs' server). */
function apiserverOf(vars: Vars, inventory: InventoryView): { address: string; port: number } {
  const { host, port } = urlHostPort(apiserverAccess(vars, inventory).nodeServer);
  return { address: host, port };
}

interface Layout {
  readonly self: ClusterNode;
  readonly nodes: readonly ClusterNode[];
  readonly dev: string;
}

/**
 * A task's action that needs this node, the others and the device the routes go out of. A dry run
 * on a fresh cluster cannot know the pod CIDRs: the task then says so and skips.
 */
function withLayout(title: string, build: (layout: Layout, ctx: Context) => Operation | Operation[]): (ctx: Context) => Operation | Operation[] {
  return (ctx) => {
    const nodes = registeredNodes(ctx.results[NODES]);
    const dev = ctx.results[SEGMENT]?.data["dev"] as string | undefined;
    const self = nodes?.find((n) => n.name === ctx.host);
    if (nodes && self && dev) return build({ self, nodes, dev }, ctx);
    return notKnownYet(title);
  };
}

function notKnownYet(title: string): Operation {
  return { title, plan: async () => ({ changes: [], skipped: "the nodes' pod CIDRs are not known yet (a real run registers the nodes first)" }) };
}

function iptablesRules(vars: Vars): { wanted: IptablesRule[]; unwanted: IptablesRule[] } {
  const masquerade = masqueradeRule(vars.kube_cluster_cidr);
  return { wanted: [...forwardRules(vars.kube_cluster_cidr), ...(vars.host_routes_masquerade ? [masquerade] : [])], unwanted: vars.host_routes_masquerade ? [] : [masquerade] };
}

export const hostRoutesRole = defineRole({
  name: "host-routes",
  dir: here,
  schema: hostRoutesDefaults,
  checks: [
    onlyOnGroup("kube_node"),
    ({ inventory }) => (inventory.groupHosts("kube_master").length === 0 ? ["the inventory has no kube_master host: host-routes reads the nodes' pod CIDRs from the API server"] : []),
    ({ hosts, vars, varsOf, inventory }) => {
      const problems = new Set<string>();
      for (const host of hosts) {
        const v = vars(host) as Vars;
        knownKubeVersion(v.kube_version, problems);
        if (v.install_method !== "bundle") problems.add("host-routes installs the CNI plugins from the bundle only (install_method: bundle)");
        // The masters allocate the pod CIDRs from their own values of these: both sides must agree.
        for (const master of inventory.groupHosts("kube_master")) {
          const said = varsOf(master, kubeMasterDefaults);
          if (said.kube_network_plugin !== v.kube_network_plugin) problems.add(`kube_network_plugin is ${v.kube_network_plugin} for ${host} but ${said.kube_network_plugin} for master ${master}: set it once, in group_vars/all`);
          if (said.kube_cluster_cidr !== v.kube_cluster_cidr) problems.add(`kube_cluster_cidr is ${v.kube_cluster_cidr} for ${host} but ${said.kube_cluster_cidr} for master ${master} (which allocates the pod CIDRs from it): set it once, in group_vars/all`);
        }
      }
      return [...problems];
    },
    bundleHasComponent("cni"),
  ],
  tasks: [
    {
      name: "read every node's pod CIDR and address from the API server",
      runOnce: true,
      register: NODES,
      action: ({ vars, inventory }) =>
        readClusterNodes({
          pkiDir: pkiDirOf(vars),
          apiserverAddress: apiserverOf(vars, inventory).address,
          apiserverPort: apiserverOf(vars, inventory).port,
          inventoryNodes: inventoryNodes(inventory),
          clusterCidr: vars.kube_cluster_cidr,
          timeoutSeconds: vars.host_routes_node_timeout,
        }),
    },
    {
      name: "check every node address is on this node's segment",
      register: SEGMENT,
      action: ({ host, results }) => {
        // The device is what this task finds, so it cannot use withLayout.
        const nodes = registeredNodes(results[NODES]);
        const self = nodes?.find((n) => n.name === host);
        if (!nodes || !self) return notKnownYet("check the segment");
        return {
          title: "check the segment",
          async plan(target) {
            const { addresses } = await target.facts.get(networkFacts, null);
            const segment = checkSegment(self, addresses, nodes);
            if (segment.problems.length > 0) throw new OperationFailed(segment.problems.join("\n"));
            return { changes: [], data: { dev: segment.dev } };
          },
        };
      },
    },
    {
      name: "create the CNI folders",
      action: ({ vars }) => [file({ path: vars.cni_bin_dir, state: "directory", mode: "0755" }), file({ path: vars.cni_conf_dir, state: "directory", mode: "0755" })],
    },
    {
      name: "install the CNI plugins from the bundle",
      action: ({ vars }) => installFromBundle(vars, "cni", { destDir: vars.cni_bin_dir }),
    },
    {
      name: `write ${CNI_CONFIG_FILE}`,
      action: withLayout(`write ${CNI_CONFIG_FILE}`, ({ self }, { vars }) =>
        copy({ dest: `${vars.cni_conf_dir}/${CNI_CONFIG_FILE}`, mode: "0644", content: cniConfig({ kubeVersion: vars.kube_version, cniVersion: vars.cni_version, podCidr: self.podCidr, bridge: vars.host_routes_bridge }) }),
      ),
    },
    {
      name: "accept forwarded pod traffic and masquerade what leaves the cluster",
      action: ({ vars }) => {
        const { wanted, unwanted } = iptablesRules(vars);
        return [
          ...wanted.map((rule) => command({ cmd: ruleAdd(rule), unless: ruleCheck(rule) })),
          ...unwanted.map((rule) => command({ cmd: ruleDelete(rule), unless: `! ${ruleCheck(rule)}` })),
        ];
      },
    },
    {
      name: "route the other nodes' pod CIDRs through their addresses",
      action: withLayout("routes", ({ nodes, dev }, { host }) => podRoutes(wantedRoutes(host, nodes, dev))),
    },
    {
      name: `write the ${UNIT} unit (the same at boot)`,
      action: withLayout(`write the ${UNIT} unit`, ({ nodes, dev }, { host, vars }) =>
        template({
          src: `${here}/templates/${UNIT}.service.hbs`,
          dest: `/etc/systemd/system/${UNIT}.service`,
          mode: "0644",
          vars: {
            route_proto: ROUTE_PROTO,
            routes: wantedRoutes(host, nodes, dev).map((route) => routeCommand(route, "/sbin/ip")),
            rules: iptablesRules(vars).wanted.map((rule) => ruleEnsure(rule)),
          },
        }),
      ),
      notify: [RESTART],
    },
    {
      name: `start ${UNIT} at boot`,
      action: withLayout(`start ${UNIT}`, () => systemd({ name: UNIT, state: "started", enabled: true })),
      register: "host_routes_unit_start",
    },
  ],
  handlers: [
    {
      // Runs the new unit once, so a unit that would fail at boot fails now, named.
      name: RESTART,
      when: ({ results }) => !results["host_routes_unit_start"]?.changed,
      action: () => systemd({ name: UNIT, state: "restarted" }),
    },
  ],
});

export default hostRoutesRole;
