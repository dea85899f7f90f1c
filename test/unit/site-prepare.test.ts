/**
 * site.ts prepared on the guide's example inventory (inventory/prod: every default, Kubernetes
 * 1.7.11, no bundle yet): every problem is reported before any connection, by name, and none is a
 * crash (a stage choosing roles by a variable its roles do not declare read undefined once).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadInventory } from "../../lib/inventory/load.js";
import { prepareRun, ValidationError } from "../../lib/runner/prepare-run.js";
import { sitePlaybook } from "../../playbooks/site.js";

describe("site.ts on inventory/prod", () => {
  it("reports what is missing or not built yet, before any host is touched", () => {
    const inventory = loadInventory([join(import.meta.dirname, "../../inventory/prod/hosts")]);
    let problems: readonly string[] = [];
    try {
      prepareRun(sitePlaybook, { inventory, extraVars: {}, connection: {} });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      problems = (error as ValidationError).problems;
    }
    expect(problems).toContain("role network: kube_network_plugin flannel (node01, node02, node03, node04): its role is not built yet; choose host-routes, or none to set the network up yourself");
    expect(problems).toContain("role coredns: dns_mode coredns: the bundle holds no CoreDNS for Kubernetes 1.7.11 yet (it has one for 1.37); set dns_mode: none and run your own DNS at kube_cluster_dns");
    expect(problems.some((p) => p.startsWith("role kube-node: the bundle ") && p.includes("has no kubernetes 1.7.11"))).toBe(true);
  });
});
