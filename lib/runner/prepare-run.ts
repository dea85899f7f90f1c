/**
 * Everything that can be checked without touching a host is checked here, and every problem is
 * reported at once: host patterns and --limit, each host's role variables (type, with the file and
 * line that set them), templates' syntax, handler names, connection settings, and the roles' own
 * checks across hosts (such as an odd etcd member count).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { connectionSettings, type ConnectionOverrides, type ConnectionSettings } from "../connection/settings.js";
import { EasyKubeError } from "../errors.js";
import type { Inventory } from "../inventory/inventory.js";
import { hostVarsWithMagic } from "../inventory/magic-vars.js";
import type { Vars } from "../inventory/model.js";
import { matchPattern } from "../inventory/patterns.js";
import { compileTemplate } from "../ops/render-template.js";
import { interpolateVars } from "../vars/interpolate.js";
import type { Schema, VarsOf } from "../vars/schema.js";
import { closestName, resolveRoleVars, undeclaredLookalikes, type VarProblem } from "../vars/resolve-role-vars.js";
import type { InventoryView, Play, Playbook, Role, Task } from "./types.js";

export class ValidationError extends EasyKubeError {
  override readonly name = "ValidationError";
  constructor(readonly problems: readonly string[]) {
    super(`${problems.length} problem${problems.length > 1 ? "s" : ""} found before connecting to any host:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export interface PreparedPlay {
  readonly play: Play;
  readonly hosts: readonly string[];
  /** host -> role name -> typed role vars merged over the host's vars. */
  readonly roleVars: ReadonlyMap<string, ReadonlyMap<string, Vars>>;
  /** host -> vars for tasks outside roles. */
  readonly playVars: ReadonlyMap<string, Vars>;
  readonly handlers: ReadonlyMap<string, { readonly task: Task<any>; readonly role?: Role<any> }>;
}

export interface PreparedRun {
  readonly plays: readonly PreparedPlay[];
  readonly settings: ReadonlyMap<string, ConnectionSettings>;
  readonly inventoryView: InventoryView;
  readonly warnings: readonly string[];
  /** Values that must never be printed. */
  readonly secrets: readonly unknown[];
}

export interface PrepareOptions {
  readonly inventory: Inventory;
  readonly limit?: string;
  readonly extraVars: Vars;
  readonly connection: ConnectionOverrides;
}

export function prepareRun(playbook: Playbook, options: PrepareOptions): PreparedRun {
  const { inventory, extraVars } = options;
  const problems: string[] = [];
  const warnings: string[] = [];
  const secrets: unknown[] = [];

  const mergedVars = new Map<string, { vars: Vars; origins: Map<string, string> }>();
  const hostVars = (host: string) => {
    let entry = mergedVars.get(host);
    if (!entry) {
      entry = hostVarsWithMagic(inventory, host, extraVars);
      mergedVars.set(host, entry);
    }
    return entry;
  };
  const inventoryView: InventoryView = {
    groupHosts: (group) => inventory.groupHosts(group),
    hostVars: (host) => hostVars(host).vars,
    groupNames: (host) => inventory.groupNames(host),
  };

  let limited: Set<string> | undefined;
  if (options.limit !== undefined) {
    const match = matchPattern(inventory, options.limit);
    for (const term of match.unmatched) warnings.push(`--limit '${term}' matches no host or group`);
    limited = new Set(match.hosts);
    if (limited.size === 0) problems.push(`--limit '${options.limit}' matches no hosts in the inventory`);
  }

  const checkedTemplates = new Set<string>();
  const plays: PreparedPlay[] = playbook.plays.map((play) => {
    const match = matchPattern(inventory, play.hosts);
    const hosts = match.hosts.filter((h) => !limited || limited.has(h));
    if (match.hosts.length === 0) warnings.push(`play '${play.name}': hosts '${play.hosts}' match no host in the inventory`);
    const roles = play.roles ?? [];
    const roleVars = new Map<string, Map<string, Vars>>();
    const playVars = new Map<string, Vars>();
    const declared = new Set(roles.flatMap((r) => Object.keys(r.schema)));
    const prefixes = roles.map((r) => `${r.name.replace(/-/g, "_")}_`);
    const inPlay = new Map<string, { vars: Vars; origins: Map<string, string> }>();
    const varsInPlay = (host: string) => {
      let entry = inPlay.get(host);
      if (!entry) {
        const { vars: base, origins } = hostVars(host);
        entry = { vars: play.vars ? interpolateVars({ ...base, ...play.vars, ...extraVars }) : base, origins };
        inPlay.set(host, entry);
      }
      return entry;
    };
    // Another role's view of any host (a master's setting that the nodes must agree with), with
    // that role's defaults, so a check never re-derives them from raw inventory values.
    const varsOf = <S extends Schema>(host: string, schema: S): VarsOf<S> => {
      const { vars, origins } = varsInPlay(host);
      return { ...vars, ...resolveRoleVars(schema, vars, origins, host).values } as VarsOf<S>;
    };
    for (const host of hosts) {
      const { vars, origins } = varsInPlay(host);
      playVars.set(host, vars);
      const perRole = new Map<string, Vars>();
      for (const role of roles) {
        const { values, problems: varProblems } = resolveRoleVars(role.schema, vars, origins, host);
        problems.push(...varProblems.map(formatVarProblem));
        for (const [name, spec] of Object.entries(role.schema as Schema)) if (spec.secret) secrets.push((values as Vars)[name]);
        perRole.set(role.name, { ...vars, ...values });
      }
      roleVars.set(host, perRole);
      for (const name of undeclaredLookalikes(vars, prefixes, declared)) {
        const suggestion = closestName(name, declared);
        warnings.push(`${origins.get(name) ?? "inventory"}: variable ${name} is not used by any role of play '${play.name}'${suggestion ? ` (did you mean ${suggestion}?)` : ""}`);
      }
    }
    for (const role of roles) {
      for (const template of roleTemplates(role)) {
        if (checkedTemplates.has(template)) continue;
        checkedTemplates.add(template);
        try {
          compileTemplate(template);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      for (const check of role.checks ?? []) {
        for (const message of check({ hosts, inventory: inventoryView, vars: (host) => roleVars.get(host)!.get(role.name)!, varsOf })) problems.push(`role ${role.name}: ${message}`);
      }
    }
    const handlers = new Map<string, { task: Task<any>; role?: Role<any> }>();
    for (const role of roles) for (const handler of role.handlers ?? []) handlers.set(handler.name, { task: handler, role });
    for (const handler of play.handlers ?? []) handlers.set(handler.name, { task: handler });
    const allTasks = [...roles.flatMap((r) => [...r.tasks, ...(r.handlers ?? [])]), ...(play.tasks ?? []), ...(play.handlers ?? [])];
    for (const task of allTasks) {
      for (const name of task.notify ?? []) {
        if (!handlers.has(name)) problems.push(`play '${play.name}', task '${task.name}' notifies '${name}', but no handler has that name (handlers: ${[...handlers.keys()].join(", ") || "none"})`);
      }
    }
    return { play, hosts, roleVars, playVars, handlers };
  });

  const settings = new Map<string, ConnectionSettings>();
  for (const host of new Set(plays.flatMap((p) => p.hosts))) {
    try {
      const s = connectionSettings(host, hostVars(host).vars, options.connection, hostVars(host).origins);
      settings.set(host, s);
      secrets.push(s.password, s.become?.password);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { plays, settings, inventoryView, warnings, secrets };
}

function formatVarProblem(problem: VarProblem): string {
  return `${problem.where}: host ${problem.host}: ${problem.message}`;
}

function roleTemplates(role: Role<any>): string[] {
  if (!role.dir) return [];
  const dir = join(role.dir, "templates");
  try {
    return readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".hbs"))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

