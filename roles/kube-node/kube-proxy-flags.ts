/**
 * kube-proxy's command line by version. The flags below are honoured by 1.7 and 1.20 alike (1.20
 * warns that flags other than --config are deprecated, but still applies every one of them), so
 * one set serves both. ipvs mode exists from 1.8 (alpha) and is GA from 1.11: the role allows it
 * from 1.11. --conntrack-max-per-core=0 leaves the kernel's conntrack limit alone, for hosts
 * (containers) where nf_conntrack_max cannot be written.
 */
import type { FlagTable } from "easy-kube";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

export const kubeProxyFlags: FlagTable<KubeNodeVars, NodeContext> = [
  { flag: "bind-address", value: (_, c) => c.address },
  { flag: "hostname-override", value: (_, c) => c.name },
  { flag: "kubeconfig", value: (_, c) => c.files.kubeProxyKubeconfig },
  { flag: "cluster-cidr", value: (v) => v.kube_cluster_cidr },
  { flag: "proxy-mode", value: (v) => v.kube_proxy_mode },
  { flag: "conntrack-max-per-core", value: (v) => String(v.kube_proxy_conntrack_max_per_core) },
  // Plain HTTP: on the node itself only (its default is every address).
  { flag: "healthz-bind-address", value: () => "127.0.0.1:10256" },
];
