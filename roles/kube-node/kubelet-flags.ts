/**
 * kubelet's command line by version. Up to 1.9 every setting is a flag; from 1.10 the settings
 * shared by all nodes go into a KubeletConfiguration file (kubelet-config.ts, kubelet.config.k8s.io/
 * v1beta1, beta since 1.10), because 1.20 marks those flags deprecated ("should be set via the
 * config file specified by the Kubelet's --config flag") and the file is what later versions keep.
 * What only this node knows (its name, address, credentials) stays on the command line.
 * Boundaries, and where they were checked:
 * - --experimental-fail-swap-on until 1.8, --fail-swap-on from 1.8 (the 1.7 options.go says the
 *   opt-in goes away in 1.8; 1.8's reference lists --fail-swap-on);
 * - --require-kubeconfig until 1.10 (1.7 ignores the kubeconfig's server without it; removed in 1.10's
 *   flag cleanup, kubernetes#58367);
 * - --rotate-certificates from 1.8 (1.7 has only the alpha feature gate);
 * - --config from 1.10;
 * - --network-plugin and --pod-infra-container-image (dockershim's) until 1.24 (KEP-2221), where
 *   --container-runtime-endpoint names containerd's socket until the config field takes it (1.27).
 * Every rendered flag is checked against each version's help text (test/fixtures/help/).
 */
import { KUBE_VERSION_FACTS, type FlagTable } from "easy-kube";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

/** dockershim's flags end with it (1.24); a remote runtime's endpoint is a flag until the config field (1.27). */
const DOCKERSHIM_UNTIL = KUBE_VERSION_FACTS.dockershim.until;
const RUNTIME_ENDPOINT_FIELD_SINCE = KUBE_VERSION_FACTS.kubeletContainerRuntimeEndpointField.since;

/** Settings that move into the configuration file from 1.10. */
const CONFIG_FILE_SINCE = "1.10";
const flagOnly = { until: CONFIG_FILE_SINCE } as const;

export const kubeletFlags: FlagTable<KubeNodeVars, NodeContext> = [
  { flag: "hostname-override", value: (_, c) => c.name },
  { flag: "node-ip", value: (_, c) => c.address },
  { flag: "bootstrap-kubeconfig", value: (_, c) => c.files.bootstrapKubeconfig },
  { flag: "kubeconfig", value: (_, c) => c.files.kubeletKubeconfig },
  { flag: "require-kubeconfig", ...flagOnly, value: () => "true" },
  { flag: "cert-dir", value: (v) => v.kubelet_cert_dir },
  { flag: "root-dir", value: (v) => v.kubelet_root_dir },
  { flag: "config", since: CONFIG_FILE_SINCE, value: (_, c) => c.files.kubeletConfig },
  // The sandbox image is dockershim's to start (containerd's own setting names it for containerd).
  { flag: "pod-infra-container-image", until: DOCKERSHIM_UNTIL, value: (_, c) => (c.runtime === "docker" ? c.podInfraImage : undefined) },
  { flag: "network-plugin", until: DOCKERSHIM_UNTIL, value: () => "cni" },
  // dockershim's CNI folders: the ones the network role fills (containerd's role writes them into its config).
  { flag: "cni-bin-dir", until: DOCKERSHIM_UNTIL, value: (v) => v.cni_bin_dir },
  { flag: "cni-conf-dir", until: DOCKERSHIM_UNTIL, value: (v) => v.cni_conf_dir },
  { flag: "container-runtime-endpoint", since: DOCKERSHIM_UNTIL, until: RUNTIME_ENDPOINT_FIELD_SINCE, value: (_, c) => c.runtimeEndpoint },
  { flag: "register-with-taints", value: (_, c) => (c.registerTaints.length > 0 ? c.registerTaints.join(",") : undefined) },
  { flag: "address", ...flagOnly, value: (_, c) => c.address },
  { flag: "anonymous-auth", ...flagOnly, value: () => "false" },
  // Plain HTTP, unauthenticated: closed (the configuration file's readOnlyPort: 0 from 1.10).
  { flag: "read-only-port", ...flagOnly, value: () => "0" },
  { flag: "cadvisor-port", until: "1.10", value: () => "0" },
  { flag: "authentication-token-webhook", ...flagOnly, value: () => "true" },
  { flag: "authorization-mode", ...flagOnly, value: () => "Webhook" },
  { flag: "client-ca-file", ...flagOnly, value: (_, c) => c.files.ca },
  { flag: "cgroup-driver", ...flagOnly, value: (v) => v.cgroup_driver },
  { flag: "cluster-dns", ...flagOnly, value: (v) => v.kube_cluster_dns },
  { flag: "cluster-domain", ...flagOnly, value: (v) => v.kube_cluster_domain },
  { flag: "max-pods", ...flagOnly, value: (v) => String(v.kubelet_max_pods) },
  { flag: "eviction-hard", ...flagOnly, value: (v) => evictionSignals(v).join(",") },
  { flag: "image-gc-high-threshold", ...flagOnly, value: (v) => String(v.kubelet_image_gc_high_threshold) },
  { flag: "image-gc-low-threshold", ...flagOnly, value: (v) => String(v.kubelet_image_gc_low_threshold) },
  { flag: "experimental-fail-swap-on", until: "1.8", value: (v) => String(v.kubelet_fail_swap_on) },
  { flag: "fail-swap-on", since: "1.8", until: CONFIG_FILE_SINCE, value: (v) => String(v.kubelet_fail_swap_on) },
  { flag: "rotate-certificates", since: "1.8", until: CONFIG_FILE_SINCE, value: (v, c) => String(v.kubelet_rotate_certificates && c.joined) },
  { flag: "serialize-image-pulls", ...flagOnly, value: (v) => String(v.kubelet_serialize_image_pulls) },
  { flag: "hairpin-mode", ...flagOnly, value: () => "promiscuous-bridge" },
  { flag: "resolv-conf", ...flagOnly, value: (_, c) => c.resolvConf },
  { flag: "allow-privileged", ...flagOnly, value: () => "true" },
];

/** "memory.available<100Mi" for each threshold, sorted so the flag does not change with the map's order. */
export function evictionSignals(vars: KubeNodeVars): string[] {
  return Object.entries(vars.kubelet_eviction_hard)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([signal, threshold]) => `${signal}<${threshold}`);
}
