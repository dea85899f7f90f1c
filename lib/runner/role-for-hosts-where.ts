/**
 * A role that acts only on the hosts a predicate of their variables chooses (the network plugin,
 * the container runtime): its tasks skip the other hosts, and its whole-inventory checks see only
 * the chosen ones, so a stage can offer several roles and each host runs the one it names.
 */
import type { Role } from "./types.js";

export function roleForHostsWhere(chosen: (vars: Record<string, unknown>) => boolean, role: Role<any>): Role<any> {
  return {
    ...role,
    tasks: role.tasks.map((task) => ({ ...task, when: (ctx) => chosen(ctx.vars) && (task.when?.(ctx) ?? true) })),
    checks: (role.checks ?? []).map((check) => (view) => {
      const hosts = view.hosts.filter((h) => chosen(view.vars(h)));
      return hosts.length > 0 ? check({ ...view, hosts }) : [];
    }),
  };
}
