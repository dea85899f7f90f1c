/**
 * What kube-master refuses before any host is touched: a master without etcd, versions and flags the
 * tables do not cover, names where addresses are needed, settings the nodes' local proxies cannot
 * live with, and a kubelet serving-certificate setting the masters and the nodes disagree on.
 */
import { cidrContains, cidrsOverlap, extraFlagValue, knownKubeVersion, kubeHas, onlyOnGroup, type RoleCheck } from "easy-kube";
import { bundleHasComponent } from "easy-kube/bundle";
import { apiserverAccess, masterAddress } from "easy-kube/pki";
import { isIP } from "node:net";
import { extraFlagProblems } from "./components.ts";
import { kubeMasterDefaults } from "./defaults.ts";
import type { KubeMasterVars as Vars } from "./flag-context.ts";

const hasEtcd: RoleCheck = ({ inventory }) => (inventory.groupHosts("etcd").length === 0 ? ["the inventory has no etcd host: the apiserver stores the cluster in etcd"] : []);

const eachMaster: RoleCheck = ({ hosts, vars, inventory }) => {
  const problems = new Set<string>();
  for (const host of hosts) {
    const v = vars(host) as Vars;
    if (!knownKubeVersion(v.kube_version, problems)) continue;
    if (v.install_method !== "bundle") problems.add("kube-master installs Kubernetes from the bundle only (install_method: bundle): OS packages of the server programs are not maintained");
    if (v.kube_apiserver_insecure_port !== 0 && !kubeHas("apiserverInsecurePort", v.kube_version)) problems.add(`kube_apiserver_insecure_port ${v.kube_apiserver_insecure_port}: Kubernetes ${v.kube_version} serves no insecure port (only 0 is allowed)`);
    for (const problem of extraFlagProblems(v)) problems.add(problem);
    if (cidrsOverlap(v.kube_service_cidr, v.kube_cluster_cidr)) problems.add(`kube_service_cidr ${v.kube_service_cidr} and kube_cluster_cidr ${v.kube_cluster_cidr} overlap: Service addresses and pod addresses must be apart, or traffic to one reaches the other`);
    // --advertise-address takes an address, not a name.
    const address = masterAddress(host, v);
    if (isIP(address) === 0) problems.add(`${host}: the apiserver's address '${address}' (kube_apiserver_address, else ansible_host, else the inventory name) is not an IP address: --advertise-address needs one; set ansible_host or kube_apiserver_address to it`);
    for (const [name, cidr] of [["kube_service_cidr", v.kube_service_cidr], ["kube_cluster_cidr", v.kube_cluster_cidr]] as const) {
      if (cidrContains(cidr, address)) problems.add(`${host}: the apiserver's address ${address} is inside ${name} ${cidr}: the hosts' network and the cluster's must be apart`);
    }
    // The nodes' proxies ask each apiserver's readiness without credentials.
    if (extraFlagValue(v.kube_apiserver_extra_flags, "anonymous-auth") === "false" && apiserverAccess(v, inventory).localProxy) {
      problems.add("kube_apiserver_extra_flags anonymous-auth=false: the nodes' local proxies check each apiserver's readiness anonymously and would take every apiserver out; keep anonymous requests (RBAC lets them read only the health endpoints) or give a load balancer as pki_apiserver_url");
    }
  }
  return [...problems];
};

/** The apiservers verify kubelets' serving certificates as the masters' setting says: every node must serve what it expects. */
const servingCertificateAgreed: RoleCheck = ({ hosts, vars, varsOf, inventory }) => {
  const setting = (v: unknown) => (v as Pick<Vars, "kubelet_serving_certificate">).kubelet_serving_certificate;
  const masters = new Set(hosts.map((h) => setting(vars(h))));
  if (masters.size !== 1) return [`kubelet_serving_certificate differs between masters (${hosts.map((h) => `${h}: ${setting(vars(h))}`).join(", ")})`];
  const [expected] = [...masters];
  const schema = { kubelet_serving_certificate: kubeMasterDefaults.kubelet_serving_certificate };
  const differing = inventory.groupHosts("kube_node").filter((node) => varsOf(node, schema).kubelet_serving_certificate !== expected);
  return differing.length > 0 ? [`kubelet_serving_certificate is ${expected} on the masters but not on ${differing.join(", ")}: the apiservers verify every kubelet's serving certificate by it (or none); set it once for all hosts`] : [];
};

export const kubeMasterChecks: readonly RoleCheck[] = [onlyOnGroup("kube_master"), hasEtcd, eachMaster, servingCertificateAgreed, bundleHasComponent("kubernetes")];
