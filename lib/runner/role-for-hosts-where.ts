/**
 * A role that acts only on the hosts a predicate of their variables chooses (the network plugin,
 * the container runtime): its tasks skip the other hosts, and its whole-inventory checks see only
 * the chosen ones, so a stage can offer several roles and each host runs the one it names. The
 * predicate reads the variables through `by`, a schema of its own, so their defaults apply whatever
 * the role's schema holds (a role without kube_version still chooses by the default release).
 */
import type { Vars } from "../inventory/model.js";
import { resolveRoleVars } from "../vars/resolve-role-vars.js";
import type { Schema, VarsOf } from "../vars/schema.js";
import type { Role } from "./types.js";

export function roleForHostsWhere<S extends Schema>(by: S, chosen: (vars: VarsOf<S>) => boolean, role: Role<any>): Role<any> {
  const typed = (vars: Vars, host: string) => resolveRoleVars(by, vars, new Map(), host).values;
  return {
    ...role,
    tasks: role.tasks.map((task) => ({ ...task, when: (ctx) => chosen(typed(ctx.vars, ctx.host)) && (task.when?.(ctx) ?? true) })),
    checks: (role.checks ?? []).map((check) => (view) => {
      const hosts = view.hosts.filter((h) => chosen(view.varsOf(h, by)));
      return hosts.length > 0 ? check({ ...view, hosts }) : [];
    }),
  };
}
