/**
 * kubelet's settings every node shares, defined once: each is a KubeletConfiguration field (the
 * file kubelet reads with --config from 1.10, kubelet.config.k8s.io/v1beta1) and, where releases
 * before the file had them, the flags that said the same (1.20 marks those flags deprecated: "should
 * be set via the config file"). kubelet-config.ts renders the fields, kubelet-flags.ts the flags.
 * Boundaries, and where they were checked:
 * - --experimental-fail-swap-on until 1.8, --fail-swap-on from 1.8 (the 1.7 options.go says the
 *   opt-in goes away in 1.8; 1.8's reference lists --fail-swap-on);
 * - --rotate-certificates from 1.8 (1.7 has only the alpha feature gate);
 * - serverTLSBootstrap (the serving certificate from the cluster CA) from 1.12;
 * - containerRuntimeEndpoint from 1.27, failCgroupV1 from 1.31 (KUBE_VERSION_FACTS).
 * Every rendered flag is checked against each version's help text (test/fixtures/help/).
 */
import { KUBE_VERSION_FACTS, type FlagRow } from "easy-kube";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

type Value<T> = (vars: KubeNodeVars, ctx: NodeContext) => T;

export interface KubeletSetting {
  /** The KubeletConfiguration field; none: a flag the file has no field for (it went with 1.10). */
  readonly field?: string;
  /** Versions the field applies to (within the file's, from 1.10). */
  readonly since?: string;
  readonly until?: string;
  /** The field's value; undefined leaves it out. */
  readonly value?: Value<unknown>;
  /** The flags that said it before the file (their rows end at 1.10 whatever they say). */
  readonly flags?: readonly FlagRow<KubeNodeVars, NodeContext>[];
}

const str = (x: unknown) => String(x);

export const kubeletSettings: readonly KubeletSetting[] = [
  { field: "address", value: (_, c) => c.address, flags: [{ flag: "address", value: (_, c) => c.address }] },
  // Plain HTTP, unauthenticated: closed.
  { field: "readOnlyPort", value: () => 0, flags: [{ flag: "read-only-port", value: () => "0" }] },
  // Only the apiserver (and others the apiserver authorizes) may use kubelet's API.
  {
    field: "authentication",
    value: (_, c) => ({ anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: c.files.ca } }),
    flags: [
      { flag: "anonymous-auth", value: () => "false" },
      { flag: "authentication-token-webhook", value: () => "true" },
      { flag: "client-ca-file", value: (_, c) => c.files.ca },
    ],
  },
  { field: "authorization", value: () => ({ mode: "Webhook" }), flags: [{ flag: "authorization-mode", value: () => "Webhook" }] },
  { field: "cgroupDriver", value: (v) => v.cgroup_driver, flags: [{ flag: "cgroup-driver", value: (v) => v.cgroup_driver }] },
  { field: "clusterDNS", value: (v) => [v.kube_cluster_dns], flags: [{ flag: "cluster-dns", value: (v) => v.kube_cluster_dns }] },
  { field: "clusterDomain", value: (v) => v.kube_cluster_domain, flags: [{ flag: "cluster-domain", value: (v) => v.kube_cluster_domain }] },
  { field: "maxPods", value: (v) => v.kubelet_max_pods, flags: [{ flag: "max-pods", value: (v) => str(v.kubelet_max_pods) }] },
  {
    field: "evictionHard",
    value: (v) => Object.fromEntries(sortedEntries(v.kubelet_eviction_hard).map(([k, x]) => [k, str(x)])),
    flags: [{ flag: "eviction-hard", value: (v) => sortedEntries(v.kubelet_eviction_hard).map(([signal, threshold]) => `${signal}<${threshold}`).join(",") }],
  },
  { field: "imageGCHighThresholdPercent", value: (v) => v.kubelet_image_gc_high_threshold, flags: [{ flag: "image-gc-high-threshold", value: (v) => str(v.kubelet_image_gc_high_threshold) }] },
  { field: "imageGCLowThresholdPercent", value: (v) => v.kubelet_image_gc_low_threshold, flags: [{ flag: "image-gc-low-threshold", value: (v) => str(v.kubelet_image_gc_low_threshold) }] },
  {
    field: "failSwapOn",
    value: (v) => v.kubelet_fail_swap_on,
    flags: [
      { flag: "experimental-fail-swap-on", until: "1.8", value: (v) => str(v.kubelet_fail_swap_on) },
      { flag: "fail-swap-on", since: "1.8", value: (v) => str(v.kubelet_fail_swap_on) },
    ],
  },
  // A joining kubelet bootstraps with rotation off (node-context.ts's `joined`).
  { field: "rotateCertificates", value: (v, c) => v.kubelet_rotate_certificates && c.joined, flags: [{ flag: "rotate-certificates", since: "1.8", value: (v, c) => str(v.kubelet_rotate_certificates && c.joined) }] },
  { field: "serverTLSBootstrap", since: KUBE_VERSION_FACTS.kubeletServingCertificateBootstrap.since, value: (v) => v.kubelet_serving_certificate === "bootstrap" },
  { field: "serializeImagePulls", value: (v) => v.kubelet_serialize_image_pulls, flags: [{ flag: "serialize-image-pulls", value: (v) => str(v.kubelet_serialize_image_pulls) }] },
  { field: "hairpinMode", value: () => "promiscuous-bridge", flags: [{ flag: "hairpin-mode", value: () => "promiscuous-bridge" }] },
  { field: "tlsMinVersion", value: (v) => v.kube_tls_min_version },
  { field: "tlsCipherSuites", value: (v) => (v.kube_tls_cipher_suites.length > 0 ? v.kube_tls_cipher_suites : undefined) },
  { field: "systemReserved", value: (v) => reserved(v.kubelet_system_reserved) },
  { field: "kubeReserved", value: (v) => reserved(v.kubelet_kube_reserved) },
  { field: "protectKernelDefaults", value: (v) => (v.kubelet_protect_kernel_defaults ? true : undefined) },
  // On systemd-resolved hosts the stub (127.0.0.53) is unreachable from pods: give them the real servers.
  { field: "resolvConf", value: (_, c) => c.resolvConf, flags: [{ flag: "resolv-conf", value: (_, c) => c.resolvConf }] },
  { field: "containerRuntimeEndpoint", since: KUBE_VERSION_FACTS.kubeletContainerRuntimeEndpointField.since, value: (_, c) => c.runtimeEndpoint },
  // From 1.35 kubelet refuses cgroup v1 unless told (KEP-5573); said only on a v1 host.
  { field: "failCgroupV1", since: KUBE_VERSION_FACTS.kubeletFailCgroupV1Field.since, value: (_, c) => (c.cgroupV1 ? false : undefined) },
  // Flags the file has no field for.
  { flags: [{ flag: "cadvisor-port", value: () => "0" }] },
  { flags: [{ flag: "allow-privileged", value: () => "true" }] },
];

function sortedEntries<T>(map: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
}

/** A reserved-resources map as the file takes it (quantities as strings), or undefined when empty. */
function reserved(resources: Readonly<Record<string, string | number>>): Record<string, string> | undefined {
  const entries = sortedEntries(resources);
  return entries.length > 0 ? Object.fromEntries(entries.map(([k, x]) => [k, str(x)])) : undefined;
}
