/** The three master components: each one's program, flag table and extra-flags variable, and its ExecStart. */
import { componentExecStart as execStart, extraFlagProblems as problems, type FlagComponent } from "easy-kube";
import { apiserverFlags } from "./apiserver-flags.ts";
import { controllerManagerFlags } from "./controller-manager-flags.ts";
import type { FlagContext, KubeMasterVars } from "./flag-context.ts";
import { schedulerFlags } from "./scheduler-flags.ts";

export interface MasterComponent extends FlagComponent<KubeMasterVars, FlagContext> {
  readonly name: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";
  readonly extraFlags: "kube_apiserver_extra_flags" | "kube_controller_manager_extra_flags" | "kube_scheduler_extra_flags";
  readonly description: string;
}

export const COMPONENTS: readonly MasterComponent[] = [
  { name: "kube-apiserver", table: apiserverFlags, extraFlags: "kube_apiserver_extra_flags", description: "Kubernetes API Server" },
  { name: "kube-controller-manager", table: controllerManagerFlags, extraFlags: "kube_controller_manager_extra_flags", description: "Kubernetes Controller Manager" },
  { name: "kube-scheduler", table: schedulerFlags, extraFlags: "kube_scheduler_extra_flags", description: "Kubernetes Scheduler" },
];

export function componentExecStart(component: MasterComponent, vars: KubeMasterVars, ctx: FlagContext): string {
  // bin_dir: the Kubernetes roles install from the bundle only (checked before any host is touched).
  return execStart(component, vars.bin_dir, vars, ctx);
}

/** Extra flags that clash with the table for this version (set by the role, or renamed/removed). */
export function extraFlagProblems(vars: KubeMasterVars): string[] {
  return problems(COMPONENTS, vars);
}
