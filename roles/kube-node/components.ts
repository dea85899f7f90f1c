/** kubelet and kube-proxy: each one's flag table and extra-flags variable, and its ExecStart. */
import { componentExecStart as execStart, extraFlagProblems as problems, type FlagComponent } from "easy-kube";
import { kubeProxyFlags } from "./kube-proxy-flags.ts";
import { kubeletFlags } from "./kubelet-flags.ts";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

export interface NodeComponent extends FlagComponent<KubeNodeVars, NodeContext> {
  readonly name: "kubelet" | "kube-proxy";
  readonly extraFlags: "kubelet_extra_flags" | "kube_proxy_extra_flags";
}

export const KUBELET: NodeComponent = { name: "kubelet", table: kubeletFlags, extraFlags: "kubelet_extra_flags" };
export const KUBE_PROXY: NodeComponent = { name: "kube-proxy", table: kubeProxyFlags, extraFlags: "kube_proxy_extra_flags" };
export const NODE_COMPONENTS: readonly NodeComponent[] = [KUBELET, KUBE_PROXY];

export function componentExecStart(component: NodeComponent, vars: KubeNodeVars, ctx: NodeContext): string {
  return execStart(component, vars.bin_dir, vars, ctx);
}

export function extraFlagProblems(vars: KubeNodeVars): string[] {
  return problems(NODE_COMPONENTS, vars);
}

/** What a component's unit template reads. `kubeProxyKubeconfigSha256`: see kube-node's index.ts. */
export function unitTemplateVars(component: NodeComponent, vars: KubeNodeVars, ctx: NodeContext, kubeProxyKubeconfigSha256: string): Record<string, unknown> {
  return {
    root_dir: vars.kubelet_root_dir,
    exec_start: componentExecStart(component, vars, ctx),
    // kubelet needs its runtime running: Docker (dockershim) or containerd.
    runtime_service: `${ctx.runtime}.service`,
    kubeconfig_sha256: kubeProxyKubeconfigSha256,
  };
}
