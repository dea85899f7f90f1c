/** kubelet and kube-proxy: each one's flag table and extra-flags variable, and its ExecStart. */
import { execStartLines, extraFlagProblem, renderFlags, type FlagTable } from "easy-kube";
import { kubeProxyFlags } from "./kube-proxy-flags.ts";
import { kubeletFlags } from "./kubelet-flags.ts";
import type { KubeNodeVars, NodeContext } from "./node-context.ts";

export interface NodeComponent {
  readonly name: "kubelet" | "kube-proxy";
  readonly table: FlagTable<KubeNodeVars, NodeContext>;
  readonly extraFlags: "kubelet_extra_flags" | "kube_proxy_extra_flags";
}

export const NODE_COMPONENTS: readonly NodeComponent[] = [
  { name: "kubelet", table: kubeletFlags, extraFlags: "kubelet_extra_flags" },
  { name: "kube-proxy", table: kubeProxyFlags, extraFlags: "kube_proxy_extra_flags" },
];

export function componentFlags(component: NodeComponent, vars: KubeNodeVars, ctx: NodeContext): string[] {
  const extra = Object.entries(vars[component.extraFlags]).map(([name, value]) => `--${name.replace(/^--/, "")}=${value}`);
  return [...renderFlags(component.table, vars.kube_version, vars, ctx), ...extra];
}

/** The unit's ExecStart; `%` doubled, since systemd reads it as a specifier (eviction thresholds such as nodefs.available<10%). */
export function componentExecStart(component: NodeComponent, vars: KubeNodeVars, ctx: NodeContext): string {
  return execStartLines(`${vars.bin_dir}/${component.name}`, componentFlags(component, vars, ctx).map((flag) => flag.replace(/%/g, "%%")));
}

export function extraFlagProblems(vars: KubeNodeVars): string[] {
  return NODE_COMPONENTS.flatMap((component) =>
    Object.keys(vars[component.extraFlags]).flatMap((flag) => {
      const problem = extraFlagProblem(component.table, vars.kube_version, flag);
      return problem ? [`${component.extraFlags}: ${problem}`] : [];
    }),
  );
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
