/**
 * The pod network stage (after kube-node in the guide's order): runs, on each node, the role of the
 * network its kube_network_plugin names. host-routes is built; calico and flannel are refused
 * before any host is touched until their roles exist; none leaves the network to another stage.
 * The stage ends when every node it configured reports Ready.
 * `npx tsx playbooks/network.ts -i INVENTORY [--check --diff]`
 */
import { defineRole, definePlaybook, isMainModule, roleForHostsWhere, runPlaybookCli, type Role } from "easy-kube";
import { hostRoutesRole } from "../roles/host-routes/index.ts";
import { kubeMasterDefaults, NETWORK_PLUGINS } from "../roles/kube-master/defaults.ts";
import { kubeNodeDefaults } from "../roles/kube-node/defaults.ts";
import { nodeReady } from "../roles/kube-node/node-ready.ts";

type NetworkPlugin = (typeof NETWORK_PLUGINS)[number];

/** The roles built so far, by the kube_network_plugin value that selects them. */
const NETWORK_ROLES: Partial<Record<NetworkPlugin, Role<any>>> = { "host-routes": hostRoutesRole };

/** The role, for the hosts whose kube_network_plugin is `plugin` only. */
function forPlugin(plugin: NetworkPlugin, role: Role<any>): Role<any> {
  return roleForHostsWhere({ kube_network_plugin: kubeMasterDefaults.kube_network_plugin }, (vars) => vars.kube_network_plugin === plugin, role);
}

/** Refuses, before any connection, a network whose role is not built yet. */
const networkChoice = defineRole({
  name: "network",
  schema: { kube_network_plugin: kubeMasterDefaults.kube_network_plugin },
  tasks: [],
  checks: [
    ({ hosts, vars }) => {
      const unbuilt = new Map<string, string[]>();
      for (const host of hosts) {
        const plugin = vars(host)["kube_network_plugin"] as NetworkPlugin;
        if (plugin !== "none" && !NETWORK_ROLES[plugin]) unbuilt.set(plugin, [...(unbuilt.get(plugin) ?? []), host]);
      }
      return [...unbuilt].map(
        ([plugin, named]) => `kube_network_plugin ${plugin} (${named.join(", ")}): its role is not built yet; choose ${Object.keys(NETWORK_ROLES).join(", ")}, or none to set the network up yourself`,
      );
    },
  ],
});

/** Last: every node the network stage configured reports Ready (or the run fails naming it and why). */
const networkReady = defineRole({
  name: "network-ready",
  schema: kubeNodeDefaults,
  tasks: [
    {
      name: "wait until the node is Ready",
      // Skipped with the network role it waits for (--skip-tags host-routes).
      tags: Object.keys(NETWORK_ROLES),
      when: ({ vars }) => vars.kube_network_plugin !== "none",
      action: ({ host, vars, inventory }) => nodeReady(host, vars, inventory, vars.kube_node_join_timeout),
    },
  ],
});

export const networkPlaybook = definePlaybook({
  name: "network",
  plays: [
    {
      name: "pod network",
      hosts: "kube_node",
      become: true,
      tags: ["network"],
      // A node that fails the up-front checks (pod CIDRs, one segment) stops every node before any change.
      anyErrorsFatal: true,
      roles: [networkChoice, ...Object.entries(NETWORK_ROLES).map(([plugin, role]) => forPlugin(plugin as NetworkPlugin, role!)), networkReady],
    },
  ],
});

if (isMainModule(import.meta)) await runPlaybookCli(networkPlaybook);
