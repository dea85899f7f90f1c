/**
 * kube-controller-manager's command line by version. Boundaries, and where they were checked:
 * - --experimental-cluster-signing-duration until 1.19, --cluster-signing-duration from 1.19
 *   (kubernetes#91154; the old flag was removed in 1.25, kubernetes#108476);
 * - secure serving (--bind-address, --authentication-kubeconfig, --authorization-kubeconfig) from 1.12
 *   (kubernetes#64149, serving on 10257; kubernetes#71600 shows the flags on v1.12.0).
 * It talks to the apiserver with its own kubeconfig (system:kube-controller-manager) in every version:
 * 1.7 has --kubeconfig and --use-service-account-credentials (its options.go).
 */
import type { FlagTable } from "easy-kube";
import { hardeningFlags, type FlagContext, type KubeMasterVars } from "./flag-context.ts";

/** Networks whose nodes need a pod CIDR from the controller-manager (flannel's kube subnet manager, host routes). */
export function allocatesNodeCidrs(vars: KubeMasterVars): boolean {
  return vars.kube_network_plugin === "host-routes" || vars.kube_network_plugin === "flannel";
}

export const controllerManagerFlags: FlagTable<KubeMasterVars, FlagContext> = [
  // Insecure serving's address: removed with it in 1.23 (kubernetes#104157).
  { flag: "address", until: "1.23", value: () => "127.0.0.1" },
  { flag: "bind-address", since: "1.12", value: () => "127.0.0.1" },
  { flag: "kubeconfig", value: (_, c) => c.files.controllerManagerKubeconfig },
  { flag: "authentication-kubeconfig", since: "1.12", value: (_, c) => c.files.controllerManagerKubeconfig },
  { flag: "authorization-kubeconfig", since: "1.12", value: (_, c) => c.files.controllerManagerKubeconfig },
  { flag: "use-service-account-credentials", value: () => "true" },
  { flag: "controllers", value: (v) => (v.kube_bootstrap_token_auth ? "*,bootstrapsigner,tokencleaner" : undefined) },
  { flag: "service-cluster-ip-range", value: (v) => v.kube_service_cidr },
  { flag: "cluster-name", value: () => "kubernetes" },
  { flag: "allocate-node-cidrs", value: (v) => (allocatesNodeCidrs(v) ? "true" : undefined) },
  { flag: "cluster-cidr", value: (v) => (allocatesNodeCidrs(v) ? v.kube_cluster_cidr : undefined) },
  { flag: "node-cidr-mask-size", value: (v) => (allocatesNodeCidrs(v) ? String(v.kube_node_cidr_mask_size) : undefined) },
  { flag: "cluster-signing-cert-file", value: (_, c) => c.files.ca },
  { flag: "cluster-signing-key-file", value: (_, c) => c.files.caKey },
  { flag: "experimental-cluster-signing-duration", until: "1.19", value: (v) => v.kube_cluster_signing_duration },
  { flag: "cluster-signing-duration", since: "1.19", value: (v) => v.kube_cluster_signing_duration },
  { flag: "root-ca-file", value: (_, c) => c.files.ca },
  { flag: "service-account-private-key-file", value: (_, c) => c.files.serviceAccountKey },
  { flag: "leader-elect", value: () => "true" },
  ...hardeningFlags("1.12"),
];
