/** The three master components: each one's program, flag table and extra-flags variable, and its ExecStart. */
import { execStartLines, extraFlagProblem, renderFlags, type FlagTable } from "easy-kube";
import { apiserverFlags } from "./apiserver-flags.ts";
import { controllerManagerFlags } from "./controller-manager-flags.ts";
import type { FlagContext, KubeMasterVars } from "./flag-context.ts";
import { schedulerFlags } from "./scheduler-flags.ts";

export interface MasterComponent {
  readonly name: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";
  readonly table: FlagTable<KubeMasterVars, FlagContext>;
  readonly extraFlags: "kube_apiserver_extra_flags" | "kube_controller_manager_extra_flags" | "kube_scheduler_extra_flags";
  readonly description: string;
}

export const COMPONENTS: readonly MasterComponent[] = [
  { name: "kube-apiserver", table: apiserverFlags, extraFlags: "kube_apiserver_extra_flags", description: "Kubernetes API Server" },
  { name: "kube-controller-manager", table: controllerManagerFlags, extraFlags: "kube_controller_manager_extra_flags", description: "Kubernetes Controller Manager" },
  { name: "kube-scheduler", table: schedulerFlags, extraFlags: "kube_scheduler_extra_flags", description: "Kubernetes Scheduler" },
];

/** Where the programs are: bin_dir from the bundle, /usr/bin from OS packages. */
export function masterBinDir(vars: KubeMasterVars): string {
  return vars.install_method === "packages" ? "/usr/bin" : vars.bin_dir;
}

export function componentFlags(component: MasterComponent, vars: KubeMasterVars, ctx: FlagContext): string[] {
  const extra = Object.entries(vars[component.extraFlags]).map(([name, value]) => `--${name.replace(/^--/, "")}=${value}`);
  return [...renderFlags(component.table, vars.kube_version, vars, ctx), ...extra];
}

export function componentExecStart(component: MasterComponent, vars: KubeMasterVars, ctx: FlagContext): string {
  return execStartLines(`${masterBinDir(vars)}/${component.name}`, componentFlags(component, vars, ctx));
}

/** Extra flags that clash with the table for this version (set by the role, or renamed/removed). */
export function extraFlagProblems(vars: KubeMasterVars): string[] {
  return COMPONENTS.flatMap((component) =>
    Object.keys(vars[component.extraFlags]).flatMap((flag) => {
      const problem = extraFlagProblem(component.table, vars.kube_version, flag);
      return problem ? [`${component.extraFlags}: ${problem}`] : [];
    }),
  );
}
