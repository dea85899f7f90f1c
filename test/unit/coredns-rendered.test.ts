/**
 * The coredns role's objects for the current release, kept under test/fixtures/rendered/ and
 * reviewed like code; the objects parse, carry the add-on's label once applied, and a release
 * without a CoreDNS in the bundle is refused before any host is touched.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { parseManifests } from "../../lib/kube/manifests.js";
import type { InventoryView } from "../../lib/runner/types.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { corednsManifests, corednsRole } from "../../roles/coredns/index.js";
import { corednsDefaults } from "../../roles/coredns/defaults.js";
import { varsOfInventory } from "../helpers/role-check.js";

const root = join(import.meta.dirname, "../..");
const typed = (raw: Record<string, unknown>) => resolveRoleVars(corednsDefaults, raw, new Map(), "master1").values;
const view: InventoryView = { groupHosts: (g) => (g === "kube_master" ? ["master1"] : []), hostVars: () => ({}), groupNames: () => ["kube_master"] };

describe("coredns", () => {
  it("1.37.2: the objects kept as a reviewed file", async () => {
    const text = corednsManifests(typed({ kube_version: "1.37.2" }));
    await expect(text).toMatchFileSnapshot(join(root, "test/fixtures/rendered/coredns-1.37.2.yaml"));
    const kinds = parseManifests(text).map((m) => `${m.object.kind}/${m.object.metadata.name}`);
    expect(kinds).toEqual(["ServiceAccount/coredns", "ClusterRole/system:coredns", "ClusterRoleBinding/system:coredns", "ConfigMap/coredns", "Deployment/coredns", "PodDisruptionBudget/coredns", "Service/kube-dns"]);
  });

  it("takes the cluster's DNS address and domain, and upstream servers when given", () => {
    const text = corednsManifests(typed({ kube_version: "1.37.2", kube_cluster_dns: "10.68.0.2", kube_cluster_domain: "corp.local", upstream_dns_servers: ["192.0.2.53", "192.0.2.54"] }));
    const objects = parseManifests(text).map((m) => m.object as Record<string, any>);
    expect(objects.find((o) => o.kind === "Service")!.spec.clusterIP).toBe("10.68.0.2");
    const corefile = String(objects.find((o) => o.kind === "ConfigMap")!.data.Corefile);
    expect(corefile).toContain("kubernetes corp.local in-addr.arpa ip6.arpa {");
    expect(corefile).toContain("forward . 192.0.2.53 192.0.2.54 {");
    const alone = corednsManifests(typed({ kube_version: "1.37.2", dns_forward_external: false }));
    expect(alone).not.toContain("forward .");
  });

  it("refuses a release the bundle has no CoreDNS for, unless dns_mode is none", () => {
    const check = corednsRole.checks![1]!;
    const run = (raw: Record<string, unknown>) => check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed(raw) });
    expect(run({ kube_version: "1.20.2" })).toEqual(["dns_mode coredns: the bundle holds no CoreDNS for Kubernetes 1.20.2 yet (it has one for 1.37); set dns_mode: none and run your own DNS at kube_cluster_dns"]);
    expect(run({ kube_version: "1.20.2", dns_mode: "none" })).toEqual([]);
    expect(run({ kube_version: "1.37.2" })).toEqual([]);
  });
});
