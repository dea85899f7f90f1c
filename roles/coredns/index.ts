/**
 * Step 8 of the guide, as current clusters run it: the cluster DNS. CoreDNS (the image from the
 * bundle, the version kubeadm pairs with the release) as a Deployment behind the kube-dns Service
 * at kube_cluster_dns, the address kubelet gives every pod. Applied once through the first
 * master's API (the add-on shape: labelled, waited for until rolled out, pruned when dropped),
 * and removed again when dns_mode is none.
 */
import { addonObjects, defineRole, kubeHas, onlyOnGroup, renderTemplate, type RoleCheck, type VarsOf } from "easy-kube";
import { corednsFor } from "easy-kube/bundle";
import { pkiDirOf } from "easy-kube/pki";
import { controlPlaneRole } from "../kube-node/node-context.ts";
import { corednsDefaults } from "./defaults.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof corednsDefaults>;

/** Every kind the add-on holds in any version: pruning looks among these. */
const KINDS = [
  { apiVersion: "v1", kind: "ServiceAccount" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  { apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget" },
  { apiVersion: "v1", kind: "Service" },
] as const;

/** The add-on's objects for the release: what differs between versions is data here, not in the template's logic. */
export function corednsManifests(vars: Vars): string {
  const coredns = corednsFor(vars.kube_version)!;
  return renderTemplate(`${here}/templates/coredns.yaml.hbs`, {
    image: coredns.reference,
    replicas: vars.coredns_replicas,
    cluster_dns: vars.kube_cluster_dns,
    cluster_domain: vars.kube_cluster_domain,
    upstream: !vars.dns_forward_external ? "" : vars.upstream_dns_servers.length > 0 ? vars.upstream_dns_servers.join(" ") : "/etc/resolv.conf",
    cache_seconds: vars.coredns_cache_seconds,
    master_taint: controlPlaneRole(vars.kube_version).label,
    endpoint_slices: kubeHas("endpointSlicesV1", vars.kube_version),
    seccomp_field: kubeHas("seccompProfileField", vars.kube_version),
    pdb_api_version: kubeHas("podDisruptionBudgetV1", vars.kube_version) ? "policy/v1" : "policy/v1beta1",
  });
}

const pairedRelease: RoleCheck = ({ hosts, vars }) => {
  const problems = new Set<string>();
  for (const host of hosts) {
    const v = vars(host) as Vars;
    if (v.dns_mode === "coredns" && !corednsFor(v.kube_version)) problems.add(`dns_mode coredns: the bundle holds no CoreDNS for Kubernetes ${v.kube_version} yet (it has one for 1.37); set dns_mode: none and run your own DNS at kube_cluster_dns`);
  }
  return [...problems];
};

export const corednsRole = defineRole({
  name: "coredns",
  dir: here,
  schema: corednsDefaults,
  checks: [onlyOnGroup("kube_master"), pairedRelease],
  tasks: [
    {
      name: "apply the cluster DNS (CoreDNS) and wait until it serves",
      runOnce: true,
      action: ({ vars }) =>
        addonObjects({
          addon: "coredns",
          manifests: vars.dns_mode === "coredns" ? corednsManifests(vars) : [],
          kinds: KINDS,
          api: { pkiDir: pkiDirOf(vars), port: vars.kube_apiserver_port },
          wait: { timeoutSeconds: vars.coredns_wait_seconds },
          apiStartedByRun: true,
        }),
    },
  ],
});

export default corednsRole;
