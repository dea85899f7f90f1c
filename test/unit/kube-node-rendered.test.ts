/**
 * The kube-node units (and, from 1.10, the KubeletConfiguration file) for the guide's 1.7.11 cluster
 * (inventory/prod) and the lab's 1.20.2, kept under test/fixtures/rendered/ and reviewed like code;
 * every flag they carry must be in that version's help text (test/fixtures/help/<version>/: recorded
 * from the source for 1.7.11, from the built programs for 1.20.2 when they are recorded).
 */
import { describe, expect, it } from "vitest";
import { missingBuild } from "../helpers/require-built.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadInventory } from "../../lib/inventory/load.js";
import { renderTemplate } from "../../lib/ops/render-template.js";
import type { InventoryView } from "../../lib/runner/types.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { bootstrapBindings } from "../../roles/kube-master/bootstrap-bindings.js";
import { NODE_COMPONENTS, unitTemplateVars, extraFlagProblems } from "../../roles/kube-node/components.js";
import { componentFlags } from "../../lib/kube/component-command.js";
import { kubeNodeDefaults } from "../../roles/kube-node/defaults.js";
import { kubeNodeRole } from "../../roles/kube-node/index.js";
import { renderKubeletConfig } from "../../roles/kube-node/kubelet-config.js";
import { nodeContext, type KubeNodeVars } from "../../roles/kube-node/node-context.js";
import { parseTaint } from "../../roles/kube-node/node-metadata.js";
import { varsOfInventory } from "../helpers/role-check.js";

const root = join(import.meta.dirname, "../..");
const prod = loadInventory([join(root, "inventory/prod")]);
const view: InventoryView = { groupHosts: (g) => prod.groupHosts(g), hostVars: (h) => prod.hostVars(h).vars, groupNames: (h) => prod.groupNames(h) };

function typed(host: string, extra: Record<string, unknown> = {}): KubeNodeVars {
  const raw = { ...prod.hostVars(host).vars, ...extra };
  const { values, problems } = resolveRoleVars(kubeNodeDefaults, raw, new Map(), host);
  expect(problems).toEqual([]);
  return { ...raw, ...values } as KubeNodeVars;
}

function helpFlags(version: string, program: string): Set<string> | undefined {
  const file = join(root, "test/fixtures/help", version, `${program}.txt`);
  if (!existsSync(file)) return undefined;
  return new Set(readFileSync(file, "utf8").split("\n").filter((l) => !l.startsWith("#")).flatMap((l) => [...l.matchAll(/^\s*(?:-\w, )?--([a-z0-9][a-z0-9_-]*)/g)].map((m) => m[1]!)));
}

// The guide's nodes are node01..04 (no master runs kubelet there); a master that is also a node gets the master taint.
const cases = [
  { name: "1.7.11", host: "node01", groups: undefined, vars: { kube_version: "1.7.11" } },
  { name: "1.20.2", host: "node01", groups: undefined, vars: { kube_version: "1.20.2", kube_proxy_conntrack_max_per_core: 0 } },
  { name: "1.20.2 on a master with taints", host: "node02", groups: ["kube_master", "kube_node"], vars: { kube_version: "1.20.2", kube_node_taints: ["dedicated=infra:NoExecute"], cgroup_driver: "systemd" } },
  { name: "1.37.2 on containerd, cgroup v1", host: "node01", groups: undefined, vars: { kube_version: "1.37.2" }, cgroupVersion: 1 as const },
  { name: "1.37.2 on containerd, cgroup v2", host: "node01", groups: undefined, vars: { kube_version: "1.37.2", cgroup_driver: "systemd" }, cgroupVersion: 2 as const },
  { name: "1.37.2 on a systemd-resolved host", host: "node01", groups: undefined, vars: { kube_version: "1.37.2", cgroup_driver: "systemd" }, cgroupVersion: 2 as const, resolvConf: "/run/systemd/resolve/resolv.conf" },
];

/** The hosts of the cases run cgroup v1 unless a case says otherwise (kubelet's failCgroupV1 depends on it). */
const V1 = { cgroupVersion: 1, upstreamResolvConf: "/etc/resolv.conf" } as const;

describe("kube-node units", () => {
  for (const c of cases) {
    const ctx = (vars: KubeNodeVars) => nodeContext(c.host, vars, c.groups ?? view.groupNames(c.host), { cgroupVersion: c.cgroupVersion ?? 1, upstreamResolvConf: c.resolvConf ?? "/etc/resolv.conf" });
    const slug = c.name.replace(/[^a-z0-9.]+/gi, "-").replace(/-+$/, "");

    it(`${c.name}: units and configuration kept as reviewed files`, async () => {
      const vars = typed(c.host, c.vars);
      for (const component of NODE_COMPONENTS) {
        const unit = renderTemplate(join(root, "roles/kube-node/templates", `${component.name}.service.hbs`), unitTemplateVars(component, vars, ctx(vars), "<sha256 of the PKI folder's kube-proxy.kubeconfig>"));
        await expect(unit).toMatchFileSnapshot(join(root, "test/fixtures/rendered", `${component.name}-${slug}.service`));
      }
      if (vars.kube_version !== "1.7.11") await expect(renderKubeletConfig(vars, ctx(vars))).toMatchFileSnapshot(join(root, "test/fixtures/rendered", `kubelet-config-${slug}.yaml`));
    });

    it(`${c.name}: every rendered flag is in the version's help text`, () => {
      const vars = typed(c.host, c.vars);
      for (const component of NODE_COMPONENTS) {
        const known = helpFlags(vars.kube_version, component.name);
        expect(known, `${component.name} ${vars.kube_version}: record its help in test/fixtures/help`).toBeDefined();
        const unknown = componentFlags(component, vars, ctx(vars)).map((f) => f.replace(/^--([^=]+)=.*$/, "$1")).filter((f) => !known!.has(f));
        expect(unknown, `${component.name} ${vars.kube_version}`).toEqual([]);
      }
    });
  }

  // The KubeletConfiguration's field names, from the Go type of the release (k8s.io/kubelet in Go's module cache: install-deps' build puts it there).
  const kubeletTypes = "/var/cache/easy-kube/go/mod/k8s.io/kubelet@v0.37.2/config/v1beta1/types.go";
  it.skipIf(missingBuild(existsSync(kubeletTypes), kubeletTypes))("1.37.2's kubelet configuration has only fields KubeletConfiguration v1beta1 of k8s.io/kubelet v0.37.2 knows", () => {
    const source = readFileSync(kubeletTypes, "utf8");
    const struct = source.slice(source.indexOf("type KubeletConfiguration struct"), source.indexOf("\n}\n", source.indexOf("type KubeletConfiguration struct")));
    const known = new Set([...struct.matchAll(/json:"([A-Za-z0-9]+)[,"]/g)].map((m) => m[1]!));
    expect(known.size).toBeGreaterThan(80);
    for (const cgroupVersion of [1, 2] as const) {
      const vars = typed("node01", { kube_version: "1.37.2" });
      const rendered = parse(renderKubeletConfig(vars, nodeContext("node01", vars, ["kube_node"], { cgroupVersion, upstreamResolvConf: "/run/systemd/resolve/resolv.conf" }))) as Record<string, unknown>;
      const fields = Object.keys(rendered).filter((f) => f !== "kind" && f !== "apiVersion");
      expect(fields.filter((f) => !known.has(f)), `cgroup v${cgroupVersion}`).toEqual([]);
      expect("failCgroupV1" in rendered, `cgroup v${cgroupVersion}`).toBe(cgroupVersion === 1);
      expect(rendered["resolvConf"]).toBe("/run/systemd/resolve/resolv.conf");
    }
  });

  it("1.7.11's help text is recorded for kubelet and kube-proxy", () => {
    for (const component of NODE_COMPONENTS) expect(helpFlags("1.7.11", component.name)?.size, component.name).toBeGreaterThan(20);
  });

  it("1.20's shared settings are in the configuration file, not flags: cluster DNS, cgroup driver, pause image from the bundle", () => {
    const vars = typed("node02", { kube_version: "1.20.2", cgroup_driver: "systemd" });
    const config = parse(renderKubeletConfig(vars, nodeContext("node02", vars, ["kube_master", "kube_node"], V1)));
    expect(config).toMatchObject({ clusterDNS: ["10.254.0.2"], clusterDomain: "cluster.local", cgroupDriver: "systemd", serverTLSBootstrap: true, rotateCertificates: true, authentication: { anonymous: { enabled: false } } });
    const flags = componentFlags(NODE_COMPONENTS[0]!, vars, nodeContext("node02", vars, ["kube_master", "kube_node"], V1));
    expect(flags).toContain("--pod-infra-container-image=k8s.gcr.io/pause:3.2");
    expect(flags).toContain("--register-with-taints=node-role.kubernetes.io/master:NoSchedule");
    expect(flags.some((f) => f.startsWith("--cluster-dns"))).toBe(false);
  });

  it("refuses before any host is touched: a flag the role sets, a removed one, ipvs before 1.11, a bad taint, DNS outside the service network", () => {
    expect(extraFlagProblems(typed("node01", { kube_version: "1.20.2", kubelet_extra_flags: { "require-kubeconfig": "true", "node-ip": "1.2.3.4" } }))).toEqual([
      "kubelet_extra_flags: --require-kubeconfig is not used with Kubernetes 1.20.2 (only before 1.10)",
      "kubelet_extra_flags: --node-ip is set by the role; set its variable instead of an extra flag",
    ]);
    const check = kubeNodeRole.checks![2]!; // after the group check and the master check
    expect(check({ hosts: ["node01"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("node01", { kube_version: "1.7.11", kube_proxy_mode: "ipvs", kube_node_taints: ["a=b:Sometimes"], kube_cluster_dns: "10.0.0.2" }) })).toEqual([
      "kube_proxy_mode ipvs: kube-proxy 1.7.11 has no stable ipvs mode (from 1.11)",
      "kube_cluster_dns 10.0.0.2 is not inside kube_service_cidr 10.254.0.0/16",
      "node01: kube_node_taints: taint 'a=b:Sometimes' is not key[=value]:Effect with Effect one of NoSchedule, PreferNoSchedule, NoExecute",
    ]);
    expect(parseTaint("node-role.kubernetes.io/master:NoSchedule")).toEqual({ key: "node-role.kubernetes.io/master", effect: "NoSchedule" });
    // A name where kubelet and kube-proxy need an address; Docker with 1.24+.
    expect(check({ hosts: ["node01"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("node01", { kube_version: "1.37.2", ansible_host: "node01.example.com", container_runtime: "docker" }) })).toEqual([
      "container_runtime docker: kubelet 1.37.2 has no dockershim (removed in 1.24); use containerd",
      "node01: the node's address 'node01.example.com' (kube_node_address, else ansible_host, else the inventory name) is not an IP address: kubelet's --node-ip and kube-proxy's --bind-address need one; set ansible_host or kube_node_address to it",
    ]);
  });

  it("tells dockershim's kubelet the CNI folders the network role fills (before 1.24), and containerd's kubelet nothing of them", () => {
    const docker = typed("node01", { kube_version: "1.20.2", cni_bin_dir: "/usr/libexec/cni", cni_conf_dir: "/etc/cni/custom.d" });
    const flags = componentFlags(NODE_COMPONENTS[0]!, docker, nodeContext("node01", docker, ["kube_node"], V1));
    expect(flags).toEqual(expect.arrayContaining(["--cni-bin-dir=/usr/libexec/cni", "--cni-conf-dir=/etc/cni/custom.d"]));
    const containerd = typed("node01", { kube_version: "1.37.2", cni_bin_dir: "/usr/libexec/cni" });
    expect(componentFlags(NODE_COMPONENTS[0]!, containerd, nodeContext("node01", containerd, ["kube_node"], V1)).some((f) => f.startsWith("--cni"))).toBe(false);
  });

  it("labels masters with the control plane's role and takes the old master taint off from 1.24", () => {
    const current = typed("node02", { kube_version: "1.37.2" });
    const ctx = nodeContext("node02", current, ["kube_master", "kube_node"], V1);
    expect(ctx.registerTaints).toEqual(["node-role.kubernetes.io/control-plane:NoSchedule"]);
    expect(ctx.labels).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    expect(ctx.dropTaints).toEqual(["node-role.kubernetes.io/master"]);
    const old = typed("node02", { kube_version: "1.20.2", kube_master_taint: false });
    const oldCtx = nodeContext("node02", old, ["kube_master", "kube_node"], V1);
    expect([oldCtx.registerTaints, oldCtx.labels, oldCtx.dropTaints]).toEqual([[], { "node-role.kubernetes.io/master": "" }, ["node-role.kubernetes.io/master"]]);
    expect(nodeContext("node01", current, ["kube_node"], V1).labels).toEqual({});
  });

  it("bootstrap permissions: the guide's binding, renewals from 1.8, bootstrap tokens' group when enabled", () => {
    const names = (vars: Parameters<typeof bootstrapBindings>[0]) => bootstrapBindings(vars).map((b: any) => `${b.apiVersion} ${b.metadata.name} ${b.subjects.map((s: any) => s.name).join(",")}`);
    expect(names({ kube_version: "1.7.11", kube_bootstrap_token_auth: false })).toEqual(["rbac.authorization.k8s.io/v1beta1 kubelet-bootstrap kubelet-bootstrap"]);
    expect(names({ kube_version: "1.20.2", kube_bootstrap_token_auth: true })).toEqual([
      "rbac.authorization.k8s.io/v1 kubelet-bootstrap kubelet-bootstrap,system:bootstrappers",
      "rbac.authorization.k8s.io/v1 easy-kube:node-client-certificate-renewal system:nodes",
    ]);
  });
});
