/**
 * The KubeletConfiguration file (kubelet.config.k8s.io/v1beta1) kubelet reads with --config from
 * 1.10: the fields of kubelet-settings.ts that apply to the version.
 */
import { kubeHas, rowAppliesTo } from "easy-kube";
import { stringify } from "yaml";
import { kubeletsServeFromClusterCa } from "../kube-master/defaults.ts";
import { kubeletSettings } from "./kubelet-settings.ts";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

/** Whether the version reads its settings from the file (1.10 and later). */
export function usesConfigFile(version: string): boolean {
  return kubeHas("kubeletConfigFile", version);
}

/** Whether kubelet asks the cluster CA for its serving certificate (and the role approves it). */
export function bootstrapsServingCertificate(vars: KubeNodeVars): boolean {
  return kubeletsServeFromClusterCa(vars);
}

export function renderKubeletConfig(vars: KubeNodeVars, ctx: NodeContext): string {
  const fields = kubeletSettings
    .filter((s) => s.field !== undefined && s.value !== undefined && rowAppliesTo(s, vars.kube_version))
    .map((s) => [s.field!, s.value!(vars, ctx)] as const)
    .filter(([, value]) => value !== undefined);
  const header = "# Managed by easy-kube (role kube-node): changes made here are replaced on the next run.\n";
  return header + stringify({ kind: "KubeletConfiguration", apiVersion: "kubelet.config.k8s.io/v1beta1", ...Object.fromEntries(fields) });
}
