/**
 * A Kubernetes program's command line as its unit runs it: the rows of its flag table for the
 * version, then the inventory's extra flags (written with or without dashes), as one systemd word
 * each. kube-master's three programs and kube-node's two share this, so an extra flag is escaped,
 * checked and rendered the same way everywhere.
 */
import type { Operation } from "../ops/operation.js";
import { template } from "../ops/template.js";
import { execStartLines, extraFlagProblem, renderFlags, type FlagTable } from "./flag-table.js";

export interface FlagComponent<V, C> {
  /** The program's name: kube-apiserver, kubelet, ... */
  readonly name: string;
  readonly table: FlagTable<V, C>;
  /** The variable holding the inventory's extra flags for it (kube_apiserver_extra_flags, ...). */
  readonly extraFlags: keyof V & string;
}

type WithVersion = { readonly kube_version: string };

function extras<V>(vars: V, variable: keyof V): Readonly<Record<string, string | number>> {
  return vars[variable] as Readonly<Record<string, string | number>>;
}

export function componentFlags<V extends WithVersion, C>(component: FlagComponent<V, C>, vars: V, ctx: C): string[] {
  const extra = Object.entries(extras(vars, component.extraFlags)).map(([name, value]) => `--${name.replace(/^-+/, "")}=${value}`);
  return [...renderFlags(component.table, vars.kube_version, vars, ctx), ...extra];
}

export function componentExecStart<V extends WithVersion, C>(component: FlagComponent<V, C>, binDir: string, vars: V, ctx: C): string {
  return execStartLines(`${binDir}/${component.name}`, componentFlags(component, vars, ctx));
}

/** Extra flags that clash with a table for this version (set by the role, or renamed/removed), named by their variable. */
export function extraFlagProblems<V extends WithVersion, C>(components: readonly FlagComponent<V, C>[], vars: V): string[] {
  return components.flatMap((component) =>
    Object.keys(extras(vars, component.extraFlags)).flatMap((flag) => {
      const problem = extraFlagProblem(component.table, vars.kube_version, flag);
      return problem ? [`${component.extraFlags}: ${problem}`] : [];
    }),
  );
}

/**
 * A component's systemd unit, from its role's `templates/<name>.service.hbs`: the one place the
 * Kubernetes roles write a unit file (path, mode); each template reads `exec_start` and what its
 * role adds.
 */
export function componentUnit(args: { templates: string; name: string; vars: Record<string, unknown> }): Operation {
  return template({ src: `${args.templates}/${args.name}.service.hbs`, dest: `/etc/systemd/system/${args.name}.service`, mode: "0644", vars: args.vars });
}
