/** Checks and converts one host's values for a role's schema, collecting every problem at once. */
import type { Vars } from "../inventory/model.js";
import { hasUnresolvedTemplate } from "./interpolate.js";
import type { Schema, VarsOf } from "./schema.js";

export interface VarProblem {
  readonly host: string;
  readonly variable: string;
  readonly where: string;
  readonly message: string;
}

export function resolveRoleVars<S extends Schema>(
  schema: S,
  vars: Vars,
  origins: ReadonlyMap<string, string>,
  host: string,
): { values: VarsOf<S>; problems: VarProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: VarProblem[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    if (!(name in vars) || vars[name] === undefined || vars[name] === null) {
      values[name] = spec.default;
      continue;
    }
    const raw = vars[name];
    const where = origins.get(name) ?? "inventory";
    const shown = spec.secret ? "(secret)" : JSON.stringify(raw);
    if (hasUnresolvedTemplate(raw)) {
      problems.push({ host, variable: name, where, message: `${name} = ${shown} uses a Jinja2 expression easy-kube does not evaluate; only {{ other_var }} references are supported` });
      continue;
    }
    const converted = spec.convert(raw);
    if (converted === undefined) problems.push({ host, variable: name, where, message: `${name} = ${shown} must be ${spec.expected}` });
    else values[name] = converted;
  }
  return { values: values as VarsOf<S>, problems };
}

/** Variables that look like a role's (its prefix) but that no role declares: likely typos. */
export function undeclaredLookalikes(vars: Vars, prefixes: readonly string[], declared: ReadonlySet<string>): string[] {
  return Object.keys(vars).filter((name) => !declared.has(name) && prefixes.some((p) => name.startsWith(p)));
}

/** The declared name closest to a typo, for "did you mean". */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
