/**
 * kubelet's command line by version: what only this node knows (its name, address, credentials,
 * folders) and the runtime's flags, then, before the configuration file (1.10), the flags of the
 * shared settings (kubelet-settings.ts). Boundaries, and where they were checked:
 * - --require-kubeconfig until 1.10 (1.7 ignores the kubeconfig's server without it; removed in 1.10's
 *   flag cleanup, kubernetes#58367);
 * - --config from 1.10;
 * - --network-plugin and --pod-infra-container-image (dockershim's) until 1.24 (KEP-2221), where
 *   --container-runtime-endpoint names containerd's socket until the config field takes it (1.27).
 * Every rendered flag is checked against each version's help text (test/fixtures/help/).
 */
import { KUBE_VERSION_FACTS, rowAppliesTo, type FlagRow, type FlagTable } from "easy-kube";
import { kubeletSettings } from "./kubelet-settings.ts";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

/** dockershim's flags end with it (1.24); a remote runtime's endpoint is a flag until the config field (1.27). */
const DOCKERSHIM_UNTIL = KUBE_VERSION_FACTS.dockershim.until;
const RUNTIME_ENDPOINT_FIELD_SINCE = KUBE_VERSION_FACTS.kubeletContainerRuntimeEndpointField.since;
const CONFIG_FILE_SINCE = KUBE_VERSION_FACTS.kubeletConfigFile.since;

const nodeFlags: FlagTable<KubeNodeVars, NodeContext> = [
  { flag: "hostname-override", value: (_, c) => c.name },
  { flag: "node-ip", value: (_, c) => c.address },
  { flag: "bootstrap-kubeconfig", value: (_, c) => c.files.bootstrapKubeconfig },
  { flag: "kubeconfig", value: (_, c) => c.files.kubeletKubeconfig },
  { flag: "require-kubeconfig", until: CONFIG_FILE_SINCE, value: () => "true" },
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
];

/** A shared setting's flag ends where the file takes over. */
function beforeConfigFile(row: FlagRow<KubeNodeVars, NodeContext>): FlagRow<KubeNodeVars, NodeContext> {
  // A row's own end is kept when it comes first (rowAppliesTo at the file's first release says so).
  const endsEarlier = row.until !== undefined && !rowAppliesTo({ until: row.until }, CONFIG_FILE_SINCE);
  return { ...row, until: endsEarlier ? row.until : CONFIG_FILE_SINCE };
}

export const kubeletFlags: FlagTable<KubeNodeVars, NodeContext> = [...nodeFlags, ...kubeletSettings.flatMap((s) => (s.flags ?? []).map(beforeConfigFile))];
