/**
 * The network stage routes by kube_network_plugin, before any host is touched: a plugin whose role
 * is not built yet is refused naming its hosts, masters and nodes must agree on the plugin and the
 * cluster CIDR, and host-routes' own checks apply only to the hosts that chose it.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadInventory } from "../../lib/inventory/load.js";
import { prepareRun, ValidationError } from "../../lib/runner/prepare-run.js";
import { networkPlaybook } from "../../playbooks/network.js";

function prepare(allVars: string, hostVars = ""): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ek-net-"));
  // An empty bundle folder: host-routes' bundle check names what is missing.
  writeFileSync(join(dir, "hosts"), `[kube_master]\nm1\n[kube_node]\nlab1${hostVars}\nlab2\n[all:vars]\nansible_connection=local\nbundle_dir=${dir}/nothing\n${allVars}\n`);
  try {
    prepareRun(networkPlaybook, { inventory: loadInventory([join(dir, "hosts")]), extraVars: {}, connection: {} });
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return [...error.problems];
    throw error;
  }
}

describe("network stage", () => {
  it("flannel (the default) and calico are refused until their roles exist", () => {
    expect(prepare("")).toEqual(["role network: kube_network_plugin flannel (lab1, lab2): its role is not built yet; choose host-routes, or none to set the network up yourself"]);
    expect(prepare("kube_network_plugin=calico")[0]).toContain("kube_network_plugin calico (lab1, lab2): its role is not built yet");
  });

  it("none leaves the network alone: nothing to check", () => {
    expect(prepare("kube_network_plugin=none")).toEqual([]);
  });

  it("host-routes: its checks run (here: the bundle has no CNI plugins)", () => {
    const problems = prepare("kube_network_plugin=host-routes");
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith("role host-routes: "))).toBe(true);
    expect(problems.join("\n")).toContain("cni");
  });

  it("a node whose cluster CIDR differs from the master's is named", () => {
    const differing = prepare("kube_network_plugin=host-routes", " kube_cluster_cidr=10.50.0.0/16");
    expect(differing.filter((p) => p.includes("kube_cluster_cidr"))).toEqual([
      "role host-routes: kube_cluster_cidr is 10.50.0.0/16 for lab1 but 172.30.0.0/16 for master m1 (which allocates the pod CIDRs from it): set it once, in group_vars/all",
    ]);
  });
});
