/**
 * The kube-master units for the guide's 1.7.11 cluster (inventory/prod) and the lab's 1.20.2, kept
 * under test/fixtures/rendered/ and reviewed like code; every flag they carry must be in that
 * version's help text (test/fixtures/help/<version>/<program>.txt: recorded from the documentation
 * for 1.7.11, from the real binaries for 1.20.2 and 1.37.2).
 */
import { describe, expect, it } from "vitest";
import { systemdWord } from "../../lib/kube/flag-table.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadInventory } from "../../lib/inventory/load.js";
import { renderTemplate } from "../../lib/ops/render-template.js";
import type { InventoryView } from "../../lib/runner/types.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { COMPONENTS, componentExecStart, extraFlagProblems } from "../../roles/kube-master/components.js";
import { componentFlags } from "../../lib/kube/component-command.js";
import { kubeMasterDefaults } from "../../roles/kube-master/defaults.js";
import { flagContext, type KubeMasterVars } from "../../roles/kube-master/flag-context.js";
import { kubeMasterRole } from "../../roles/kube-master/index.js";
import { varsOfInventory } from "../helpers/role-check.js";

const root = join(import.meta.dirname, "../..");
const prod = loadInventory([join(root, "inventory/prod")]);
const view: InventoryView = { groupHosts: (g) => prod.groupHosts(g), hostVars: (h) => prod.hostVars(h).vars, groupNames: (h) => prod.groupNames(h) };

function typed(host: string, extra: Record<string, unknown> = {}): KubeMasterVars {
  const raw = { ...prod.hostVars(host).vars, ...extra };
  const { values, problems } = resolveRoleVars(kubeMasterDefaults, raw, new Map(), host);
  expect(problems).toEqual([]);
  return { ...raw, ...values } as KubeMasterVars;
}

/** A help text's flag names: every `--name` at the start of a line (comments start with #). */
function helpFlags(version: string, program: string): Set<string> | undefined {
  const file = join(root, "test/fixtures/help", version, `${program}.txt`);
  if (!existsSync(file)) return undefined;
  const names = readFileSync(file, "utf8").split("\n").filter((l) => !l.startsWith("#")).flatMap((l) => [...l.matchAll(/^\s*(?:-\w, )?--([a-z0-9][a-z0-9_-]*)/g)].map((m) => m[1]!));
  return new Set(names);
}

const cases = [
  { name: "1.7.11", host: "master1", vars: { kube_version: "1.7.11" } },
  { name: "1.7.11 with audit log, bootstrap tokens, calico", host: "master2", vars: { kube_version: "1.7.11", kube_audit_log: true, kube_bootstrap_token_auth: true, kube_network_plugin: "calico" } },
  { name: "1.20.2", host: "master1", vars: { kube_version: "1.20.2", kube_network_plugin: "host-routes" } },
  { name: "1.20.2 with audit log, bootstrap tokens", host: "master2", vars: { kube_version: "1.20.2", kube_audit_log: true, kube_bootstrap_token_auth: true, kube_apiserver_extra_flags: { "profiling": "false" } } },
  { name: "1.37.2", host: "master1", vars: { kube_version: "1.37.2", kube_network_plugin: "host-routes" } },
  { name: "1.37.2 with audit log, bootstrap tokens", host: "master2", vars: { kube_version: "1.37.2", kube_audit_log: true, kube_bootstrap_token_auth: true } },
];

describe("kube-master units", () => {
  for (const c of cases) {
    it(`${c.name}: units kept as reviewed files`, async () => {
      const vars = typed(c.host, c.vars);
      const slug = c.name.replace(/[^a-z0-9.]+/gi, "-").replace(/-+$/, "");
      for (const component of COMPONENTS) {
        const unit = renderTemplate(join(root, "roles/kube-master/templates", `${component.name}.service.hbs`), { description: component.description, exec_start: componentExecStart(component, vars, flagContext(c.host, vars, view)) });
        await expect(unit).toMatchFileSnapshot(join(root, "test/fixtures/rendered", `${component.name}-${slug}.service`));
      }
    });

    it(`${c.name}: every rendered flag is in the version's help text`, () => {
      const vars = typed(c.host, c.vars);
      for (const component of COMPONENTS) {
        const known = helpFlags(vars.kube_version, component.name);
        expect(known, `${component.name} ${vars.kube_version}: record its help in test/fixtures/help`).toBeDefined();
        const unknown = componentFlags(component, vars, flagContext(c.host, vars, view)).map((f) => f.replace(/^--([^=]+)=.*$/, "$1")).filter((f) => !known!.has(f));
        expect(unknown, `${component.name} ${vars.kube_version}`).toEqual([]);
      }
    });
  }

  it("1.7.11's help text is recorded for every component", () => {
    for (const component of COMPONENTS) expect(helpFlags("1.7.11", component.name)?.size, component.name).toBeGreaterThan(5);
  });

  it("the etcd endpoints and the apiserver address come from the inventory", () => {
    const ctx = flagContext("master2", typed("master2"), view);
    expect(ctx.etcdServers).toBe("https://192.168.1.11:2379,https://192.168.1.12:2379,https://192.168.1.13:2379");
    expect(ctx.address).toBe("192.168.1.12");
    expect(ctx.masterCount).toBe(2);
  });

  it("refuses a service network and a pod network that overlap, and a master inside either", () => {
    const check = kubeMasterRole.checks![2]!;
    const problems = (extra: Record<string, unknown>) => check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", extra) });
    expect(problems({ kube_service_cidr: "10.0.0.0/8", kube_cluster_cidr: "10.254.0.0/16" })).toContain(
      "kube_service_cidr 10.0.0.0/8 and kube_cluster_cidr 10.254.0.0/16 overlap: Service addresses and pod addresses must be apart, or traffic to one reaches the other",
    );
    const address = typed("master1").kube_apiserver_address || "192.168.1.11";
    expect(problems({ kube_cluster_cidr: "192.168.0.0/16" })).toContain(`master1: the apiserver's address ${address} is inside kube_cluster_cidr 192.168.0.0/16: the hosts' network and the cluster's must be apart`);
    expect(problems({})).toEqual([]);
  });

  it("an extra flag the role sets, or one renamed for the version, is refused before any host is touched", () => {
    expect(extraFlagProblems(typed("master1", { kube_version: "1.20.2", kube_apiserver_extra_flags: { "admission-control": "AlwaysAdmit", "etcd-servers": "http://x:2379" } }))).toEqual([
      "kube_apiserver_extra_flags: --admission-control is not used with Kubernetes 1.20.2 (only before 1.10)",
      "kube_apiserver_extra_flags: --etcd-servers is set by the role; set its variable instead of an extra flag",
    ]);
    const check = kubeMasterRole.checks![2]!; // after the group check and the etcd check
    const problems = check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", { kube_version: "1.20.2", kube_apiserver_insecure_port: 8080, kube_controller_manager_extra_flags: { "experimental-cluster-signing-duration": "1h" } }) });
    expect(problems).toEqual([
      "kube_apiserver_insecure_port 8080: Kubernetes 1.20.2 serves no insecure port (only 0 is allowed)",
      "kube_controller_manager_extra_flags: --experimental-cluster-signing-duration is not used with Kubernetes 1.20.2 (only before 1.19)",
    ]);
    const uncovered = (version: string) => `kube_version ${version}: the roles know the flags of Kubernetes 1.7 up to (not including) 1.38; a newer release needs its flag tables checked against its programs first`;
    expect(check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", { kube_version: "1.6.13" }) })).toEqual([uncovered("1.6.13")]);
    expect(check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", { kube_version: "1.38.0" }) })).toEqual([uncovered("1.38.0")]);
    expect(check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", { kube_version: "1.37.2" }) })).toEqual([]);
  });

  it("verifies kubelets' serving certificates only where the cluster CA issued them (bootstrap, from 1.12)", () => {
    const authority = (extra: Record<string, unknown>) =>
      componentFlags(COMPONENTS[0]!, typed("master1", extra), flagContext("master1", typed("master1", extra), view)).find((f) => f.startsWith("--kubelet-certificate-authority="));
    expect(authority({ kube_version: "1.20.2" })).toBe("--kubelet-certificate-authority=/etc/kubernetes/ssl/ca.pem");
    expect(authority({ kube_version: "1.20.2", kubelet_serving_certificate: "self-signed" })).toBeUndefined();
    expect(authority({ kube_version: "1.7.11" })).toBeUndefined();
  });

  it("refuses names where the apiserver needs an address, and sees anonymous-auth written with dashes", () => {
    const check = kubeMasterRole.checks![2]!;
    expect(check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", { kube_version: "1.37.2", ansible_host: "master1.example.com" }) })).toEqual([
      "master1: the apiserver's address 'master1.example.com' (kube_apiserver_address, else ansible_host, else the inventory name) is not an IP address: --advertise-address needs one; set ansible_host or kube_apiserver_address to it",
    ]);
    const twoMasters: InventoryView = { ...view, groupHosts: (g) => (g === "kube_master" ? ["master1", "master2"] : prod.groupHosts(g)) };
    for (const key of ["anonymous-auth", "--anonymous-auth"]) {
      const problems = check({ hosts: ["master1"], inventory: twoMasters, varsOf: varsOfInventory(twoMasters), vars: () => typed("master1", { kube_version: "1.37.2", kube_apiserver_extra_flags: { [key]: "false" } }) });
      expect(problems.join("\n"), key).toMatch(/anonymous-auth=false: the nodes' local proxies/);
    }
  });

  it("refuses nodes whose kubelet_serving_certificate is not the masters' (the apiservers verify by it)", () => {
    const check = kubeMasterRole.checks![3]!;
    const selfSigned: InventoryView = { ...view, hostVars: (h) => (h === "node02" ? { ...prod.hostVars(h).vars, kubelet_serving_certificate: "self-signed" } : prod.hostVars(h).vars) };
    expect(check({ hosts: ["master1"], inventory: selfSigned, varsOf: varsOfInventory(selfSigned), vars: () => typed("master1", { kube_version: "1.37.2" }) })).toEqual([
      "kubelet_serving_certificate is bootstrap on the masters but not on node02: the apiservers verify every kubelet's serving certificate by it (or none); set it once for all hosts",
    ]);
    expect(check({ hosts: ["master1"], inventory: view, varsOf: varsOfInventory(view), vars: () => typed("master1", { kube_version: "1.37.2" }) })).toEqual([]);
  });

  it("writes extra flags as one systemd word each: % and $ doubled, spaces quoted", () => {
    const vars = typed("master1", { kube_version: "1.37.2", kube_apiserver_extra_flags: { "--cors-allowed-origins": "https://a.example.com/50%", "audit-log-format": "json" , "tls-cipher-suites": "A B" } });
    const unit = componentExecStart(COMPONENTS[0]!, vars, flagContext("master1", vars, view));
    expect(unit).toContain("  --cors-allowed-origins=https://a.example.com/50%% \\\n");
    expect(unit).toContain('  "--tls-cipher-suites=A B"');
    expect(systemdWord("--a=$HOME")).toBe("--a=$$HOME");
    expect(systemdWord('--a="q" \\x')).toBe('"--a=\\"q\\" \\\\x"');
    // A newline cannot end the ExecStart line and start another directive.
    expect(systemdWord("--a=1\nExecStartPre=/bin/evil")).toBe('"--a=1\\x0aExecStartPre=/bin/evil"');
  });
});
