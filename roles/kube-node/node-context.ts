/** What the kubelet and kube-proxy tables read besides the role's variables: paths and the node's own facts, the same for tests and tasks. */
import { containerRuntime, kubeHas, type ContainerRuntime, type VarsOf } from "easy-kube";
import { pauseImage } from "easy-kube/bundle";
import type { kubeNodeDefaults } from "./defaults.ts";

export type KubeNodeVars = VarsOf<typeof kubeNodeDefaults>;

export interface NodeFiles {
  readonly ca: string;
  readonly bootstrapKubeconfig: string;
  /** Written by kubelet once its certificate was issued; the role never templates it. */
  readonly kubeletKubeconfig: string;
  readonly kubeletConfig: string;
  readonly kubeProxyKubeconfig: string;
}

export function nodeFiles(vars: Pick<KubeNodeVars, "pki_remote_ssl_dir" | "kube_config_dir">): NodeFiles {
  return {
    ca: `${vars.pki_remote_ssl_dir}/ca.pem`,
    bootstrapKubeconfig: `${vars.kube_config_dir}/bootstrap.kubeconfig`,
    kubeletKubeconfig: `${vars.kube_config_dir}/kubelet.kubeconfig`,
    kubeletConfig: `${vars.kube_config_dir}/kubelet-config.yaml`,
    kubeProxyKubeconfig: `${vars.kube_config_dir}/kube-proxy.kubeconfig`,
  };
}

export interface NodeContext {
  /** The inventory name: the node's name in the cluster and in its certificate (system:node:<name>). */
  readonly name: string;
  readonly address: string;
  readonly files: NodeFiles;
  readonly podInfraImage: string;
  /** Taints kubelet registers the node with: the control plane's on masters (unless turned off), then kube_node_taints. */
  readonly registerTaints: readonly string[];
  /** Labels the role sets through the API: the control plane's role label on masters, then kube_node_labels. */
  readonly labels: Readonly<Record<string, string | number>>;
  /** Taint keys the role takes off: the `master` taint on a master once the version taints `control-plane`, the control plane's taint when kube_master_taint is off. */
  readonly dropTaints: readonly string[];
  /** kubelet holds its client certificate (see nodeContext). */
  readonly joined: boolean;
  readonly runtime: ContainerRuntime;
  /** The CRI socket kubelet talks to (containerd); undefined with Docker (kubelet's dockershim). */
  readonly runtimeEndpoint: string | undefined;
  /** The host runs cgroup v1 (hybrid included): kubelets from 1.35 must be told to accept it. */
  readonly cgroupV1: boolean;
  /** The resolv.conf kubelet gives pods with dnsPolicy Default and the DNS add-on's upstreams; undefined: kubelet's own default (/etc/resolv.conf). */
  readonly resolvConf: string | undefined;
}

/** What the host itself tells (its facts), for the parts of kubelet's settings that depend on it. */
export interface NodeHostFacts {
  readonly cgroupVersion: 1 | 2;
  /** The host's resolv.conf with its real servers (not systemd-resolved's 127.0.0.53 stub). */
  readonly upstreamResolvConf: string;
}

const LEGACY_MASTER_ROLE = "node-role.kubernetes.io/master";

/** The role label and taint of a master that runs kubelet: `control-plane` from 1.24, `master` before. */
export function controlPlaneRole(version: string): { label: string; taint: string } {
  const key = kubeHas("controlPlaneNodeRole", version) ? "node-role.kubernetes.io/control-plane" : LEGACY_MASTER_ROLE;
  return { label: key, taint: `${key}:NoSchedule` };
}

export function nodeAddress(host: string, vars: { kube_node_address?: string; ansible_host?: unknown }): string {
  return String(vars.kube_node_address || vars.ansible_host || host);
}

/**
 * `joined`: kubelet holds its client certificate. Until then it bootstraps without rotation, the way
 * that keeps its new key on disk (kubelet-client.key.tmp) while the request is pending, so the key
 * can be checked before the request is approved; with rotation on, kubelet bootstraps in the
 * background with the key in memory only.
 */
export function nodeContext(host: string, vars: KubeNodeVars & { ansible_host?: unknown }, groups: readonly string[], facts: NodeHostFacts, joined = true): NodeContext {
  const isMaster = groups.includes("kube_master");
  const role = controlPlaneRole(vars.kube_version);
  const runtime = containerRuntime(vars);
  return {
    joined,
    runtime,
    runtimeEndpoint: runtime === "containerd" ? `unix://${vars.containerd_state}/containerd.sock` : undefined,
    cgroupV1: facts.cgroupVersion === 1,
    resolvConf: facts.upstreamResolvConf === "/etc/resolv.conf" ? undefined : facts.upstreamResolvConf,
    name: host,
    address: nodeAddress(host, vars),
    files: nodeFiles(vars),
    podInfraImage: pauseImage(vars.kube_version, vars.bundle_arch),
    registerTaints: [...(isMaster && vars.kube_master_taint ? [role.taint] : []), ...vars.kube_node_taints.filter((t) => t !== role.taint)],
    // kubectl's ROLES column; a kubelet may not set node-role labels itself (NodeRestriction).
    labels: { ...(isMaster ? { [role.label]: "" } : {}), ...vars.kube_node_labels },
    dropTaints: isMaster ? [...(role.label === LEGACY_MASTER_ROLE ? [] : [LEGACY_MASTER_ROLE]), ...(vars.kube_master_taint ? [] : [role.label])] : [],
  };
}
