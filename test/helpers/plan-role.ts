/**
 * A role's check half on recorded facts: every task's `when`, loop and operations planned against
 * recorded fact outputs of a host the lab cannot boot (CentOS 7), as a dry run would plan them.
 * Returns each task's planned changes, or its failure message.
 */
import { RecordedFacts } from "../../lib/facts/fact.js";
import { parseHostFacts } from "../../lib/facts/host-facts.js";
import type { Vars } from "../../lib/inventory/model.js";
import type { Operation, Target } from "../../lib/ops/operation.js";
import type { InventoryView, Role, TaskContext } from "../../lib/runner/types.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";

const noConnection = {
  host: "recorded",
  commandCount: 0,
  run: () => Promise.reject(new Error("a dry run on recorded facts must only read facts")),
  close: async () => {},
};

export interface RecordedHost {
  readonly name: string;
  /** The output of the facts script (lib/facts/host-facts.ts). */
  readonly hostFacts: string;
  readonly facts: Record<string, { stdout?: string; stderr?: string; code?: number }>;
  readonly vars?: Vars;
  /** The inventory groups the host is in. @default none */
  readonly groups?: readonly string[];
}

export async function planRole(role: Role<any>, host: RecordedHost): Promise<Record<string, string[] | string>> {
  const { values, problems } = resolveRoleVars(role.schema, host.vars ?? {}, new Map(), host.name);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("\n"));
  const inventory: InventoryView = { groupHosts: () => [host.name], hostVars: () => ({ ...host.vars, ...values }), groupNames: () => [...(host.groups ?? [])] };
  const target: Target = { name: host.name, connection: noConnection, facts: new RecordedFacts(host.facts), diff: false, check: true };
  const planned: Record<string, string[] | string> = {};
  for (const task of role.tasks) {
    const base = { host: host.name, vars: { ...host.vars, ...values }, facts: parseHostFacts(host.hostFacts), results: {}, inventory, check: true, item: undefined } as TaskContext;
    if (task.when && !task.when(base)) continue;
    const items = task.loop ? task.loop(base) : [undefined];
    const changes: string[] = [];
    try {
      for (const item of items) {
        const produced = task.action?.({ ...base, item });
        const operations: readonly Operation[] = produced === undefined ? [] : Array.isArray(produced) ? produced : [produced as Operation];
        for (const operation of operations) changes.push(...(await operation.plan(target)).changes);
      }
      planned[task.name] = changes;
    } catch (error) {
      planned[task.name] = (error as Error).message;
    }
  }
  return planned;
}
