/**
 * The KubeletConfiguration file (kubelet.config.k8s.io/v1beta1) kubelet reads with --config from
 * 1.10: the settings every node shares, as rows with the versions they apply to, like the flag
 * table. serverTLSBootstrap (the serving certificate from the cluster CA) came with 1.12.
 */
import { KUBE_VERSION_FACTS, kubeHas, rowAppliesTo } from "easy-kube";
import { stringify } from "yaml";
import { kubeletsServeFromClusterCa } from "../kube-master/defaults.ts";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

interface ConfigField {
  readonly field: string;
  readonly since?: string;
  readonly until?: string;
  readonly value: (vars: KubeNodeVars, ctx: NodeContext) => unknown;
}

export const kubeletConfigFields: readonly ConfigField[] = [
  { field: "address", value: (_, c) => c.address },
  { field: "readOnlyPort", value: () => 0 },
  // Only the apiserver (and others the apiserver authorizes) may use kubelet's API.
  { field: "authentication", value: (_, c) => ({ anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: c.files.ca } }) },
  { field: "authorization", value: () => ({ mode: "Webhook" }) },
  { field: "cgroupDriver", value: (v) => v.cgroup_driver },
  { field: "clusterDNS", value: (v) => [v.kube_cluster_dns] },
  { field: "clusterDomain", value: (v) => v.kube_cluster_domain },
  { field: "maxPods", value: (v) => v.kubelet_max_pods },
  { field: "evictionHard", value: (v) => Object.fromEntries(Object.entries(v.kubelet_eviction_hard).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, String(x)])) },
  { field: "imageGCHighThresholdPercent", value: (v) => v.kubelet_image_gc_high_threshold },
  { field: "imageGCLowThresholdPercent", value: (v) => v.kubelet_image_gc_low_threshold },
  { field: "failSwapOn", value: (v) => v.kubelet_fail_swap_on },
  { field: "rotateCertificates", value: (v, c) => v.kubelet_rotate_certificates && c.joined },
  { field: "serverTLSBootstrap", since: KUBE_VERSION_FACTS.kubeletServingCertificateBootstrap.since, value: (v) => v.kubelet_serving_certificate === "bootstrap" },
  { field: "serializeImagePulls", value: (v) => v.kubelet_serialize_image_pulls },
  { field: "hairpinMode", value: () => "promiscuous-bridge" },
  { field: "tlsMinVersion", value: (v) => v.kube_tls_min_version },
  { field: "tlsCipherSuites", value: (v) => (v.kube_tls_cipher_suites.length > 0 ? v.kube_tls_cipher_suites : undefined) },
  { field: "systemReserved", value: (v) => reserved(v.kubelet_system_reserved) },
  { field: "kubeReserved", value: (v) => reserved(v.kubelet_kube_reserved) },
  { field: "protectKernelDefaults", value: (v) => (v.kubelet_protect_kernel_defaults ? true : undefined) },
  // On systemd-resolved hosts the stub (127.0.0.53) is unreachable from pods: give them the real servers.
  { field: "resolvConf", value: (_, c) => c.resolvConf },
  { field: "containerRuntimeEndpoint", since: KUBE_VERSION_FACTS.kubeletContainerRuntimeEndpointField.since, value: (_, c) => c.runtimeEndpoint },
  // From 1.35 kubelet refuses cgroup v1 unless told (KEP-5573); said only on a v1 host.
  { field: "failCgroupV1", since: KUBE_VERSION_FACTS.kubeletFailCgroupV1Field.since, value: (_, c) => (c.cgroupV1 ? false : undefined) },
];

/** A reserved-resources map as the file takes it (quantities as strings), or undefined when empty. */
function reserved(resources: Readonly<Record<string, string | number>>): Record<string, string> | undefined {
  const entries = Object.entries(resources).sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? Object.fromEntries(entries.map(([k, x]) => [k, String(x)])) : undefined;
}

/** Whether the version reads its settings from the file (1.10 and later). */
export function usesConfigFile(version: string): boolean {
  return kubeHas("kubeletConfigFile", version);
}

/** Whether kubelet asks the cluster CA for its serving certificate (and the role approves it). */
export function bootstrapsServingCertificate(vars: KubeNodeVars): boolean {
  return kubeletsServeFromClusterCa(vars);
}

export function renderKubeletConfig(vars: KubeNodeVars, ctx: NodeContext): string {
  const fields = kubeletConfigFields
    .filter((f) => rowAppliesTo(f, vars.kube_version))
    .map((f) => [f.field, f.value(vars, ctx)] as const)
    .filter(([, value]) => value !== undefined);
  const header = "# Managed by easy-kube (role kube-node): changes made here are replaced on the next run.\n";
  return header + stringify({ kind: "KubeletConfiguration", apiVersion: "kubelet.config.k8s.io/v1beta1", ...Object.fromEntries(fields) });
}
