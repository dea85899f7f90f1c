/**
 * easy-kube must read existing inventories exactly as Ansible does. Every fixture is parsed by both
 * and the `--list` and `--graph` outputs compared; patterns are compared with `ansible --list-hosts`.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadInventory } from "../../lib/inventory/load.js";
import { inventoryGraph, inventoryList } from "../../lib/inventory/ansible-view.js";
import { matchPattern } from "../../lib/inventory/patterns.js";
import { ansibleInventoryGraph, ansibleInventoryList, ansibleListHosts } from "../helpers/ansible.js";

const fixtures = join(import.meta.dirname, "../fixtures/inventories");
const sources = [
  "tricky-ini/hosts",
  "tricky-ini",
  "kubeasz/hosts",
  "kubespray/inventory.ini",
  "yaml-inventory/hosts.yml",
  "inventory-dir",
  "priorities/hosts",
  "quoting/hosts",
].map((s) => join(fixtures, s));
// The example inventory shipped in the repository must read the same as well.
sources.push(join(import.meta.dirname, "../../inventory/prod"));

describe("inventory --list and --graph match ansible-inventory", () => {
  for (const source of sources) {
    it(source.startsWith(fixtures) ? source.slice(fixtures.length + 1) : source, () => {
      const ours = loadInventory([source]);
      expect(inventoryList(ours)).toEqual(ansibleInventoryList(source));
      expect(inventoryGraph(ours)).toEqual(ansibleInventoryGraph(source));
    });
  }
});

describe("host patterns match ansible --list-hosts", () => {
  const source = join(fixtures, "tricky-ini/hosts");
  const patterns = [
    "all",
    "etcd",
    "k8s",
    "kube_master:kube_node",
    "kube_master,etcd1",
    "k8s:&kube_node",
    "all:!k8s",
    "all:!etcd:!ungrouped",
    "etcd[0]",
    "etcd[-1]",
    "etcd[1:3]",
    "etcd[2:]",
    "node0*",
    "*.example.com",
    "~node0[12]",
    "~^m[ab]",
    "k8s:!node02:&~.*0.$",
    "10.0.0.*",
  ];
  const inventory = loadInventory([source]);
  for (const pattern of patterns) {
    it(pattern, () => {
      expect(matchPattern(inventory, pattern).hosts.sort()).toEqual(ansibleListHosts(source, pattern).sort());
    });
  }

  it("reports terms that match nothing", () => {
    expect(matchPattern(inventory, "etcd:nosuch").unmatched).toEqual(["nosuch"]);
  });
});
