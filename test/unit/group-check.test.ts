/** onlyOnGroup: a group-bound role refuses, before any host is touched, hosts outside its group. */
import { describe, expect, it } from "vitest";
import { onlyOnGroup } from "../../lib/runner/group-check.js";
import type { InventoryView } from "../../lib/runner/types.js";
import { apiserverProxyRole } from "../../roles/apiserver-proxy/index.js";
import { etcdRole } from "../../roles/etcd/index.js";

const unused = () => {
  throw new Error("this check reads no other host");
};

const inventory: InventoryView = { groupHosts: (g) => (g === "kube_node" ? ["n1", "n2"] : g === "etcd" ? ["e1"] : []), hostVars: () => ({}), groupNames: () => [] };

describe("onlyOnGroup", () => {
  it("names the hosts outside the group, and nothing when all are in it", () => {
    const check = onlyOnGroup("kube_node");
    expect(check({ hosts: ["n1", "m1", "n2", "x"], inventory, vars: () => ({}), varsOf: unused })).toEqual(["runs only on hosts of the kube_node group; m1, x are not in it"]);
    expect(check({ hosts: ["n1", "n2"], inventory, vars: () => ({}), varsOf: unused })).toEqual([]);
  });

  it("is the first check of the group-bound roles", () => {
    expect(apiserverProxyRole.checks![0]!({ hosts: ["e1"], inventory, vars: () => ({}), varsOf: unused })).toEqual(["runs only on hosts of the kube_node group; e1 are not in it"]);
    expect(etcdRole.checks![0]!({ hosts: ["n1"], inventory, vars: () => ({}), varsOf: unused })).toEqual(["runs only on hosts of the etcd group; n1 are not in it"]);
  });
});
