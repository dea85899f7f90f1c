/**
 * Inventories written for Ansible refer to other variables: `cluster_dir="{{ base_dir }}/clusters"`.
 * Plain references (`{{ name }}`, `{{ name.key }}`) are resolved here; anything Jinja2 would compute
 * (filters, expressions) is left as written and reported if a role reads it.
 */
import type { Vars } from "../inventory/model.js";

const REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;
const WHOLE_REFERENCE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}$/;

export function interpolateVars(vars: Vars): Vars {
  const resolved: Vars = {};
  const resolving = new Set<string>();
  const lookup = (path: string): unknown => {
    const [head, ...rest] = path.split(".");
    let value = resolve(head!);
    for (const key of rest) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
    return value;
  };
  const expand = (value: unknown): unknown => {
    if (typeof value === "string" && value.includes("{{")) {
      // A value that is only a reference keeps the referenced type (a list stays a list).
      const whole = WHOLE_REFERENCE.exec(value);
      if (whole) {
        const found = lookup(whole[1]!);
        return found === undefined ? value : found;
      }
      return value.replace(REFERENCE, (match, path: string) => {
        const found = lookup(path);
        return found === undefined || typeof found === "object" ? match : String(found);
      });
    }
    if (Array.isArray(value)) return value.map(expand);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, expand(x)]));
    return value;
  };
  const resolve = (name: string): unknown => {
    if (name in resolved) return resolved[name];
    if (!(name in vars) || resolving.has(name)) return undefined;
    resolving.add(name);
    const value = expand(vars[name]);
    resolving.delete(name);
    resolved[name] = value;
    return value;
  };
  for (const name of Object.keys(vars)) resolve(name);
  return resolved;
}

/** True when a value still holds a template expression that was not resolved. */
export function hasUnresolvedTemplate(value: unknown): boolean {
  if (typeof value === "string") return value.includes("{{") || value.includes("{%");
  if (Array.isArray(value)) return value.some(hasUnresolvedTemplate);
  if (value && typeof value === "object") return Object.values(value).some(hasUnresolvedTemplate);
  return false;
}
