/** Runs a playbook in-process and keeps every event, for assertions on what the run reported. */
import { loadInventory } from "../../lib/inventory/load.js";
import type { RunEvent } from "../../lib/output/events.js";
import { SecretMasker } from "../../lib/output/masker.js";
import { runPlaybook, type RunOptions, type RunSummary } from "../../lib/runner/run-playbook.js";
import type { Playbook } from "../../lib/runner/types.js";

export type Result = Extract<RunEvent, { type: "host_result" }>;

export async function runCollecting(
  playbook: Playbook,
  inventoryFile: string,
  options: Partial<Omit<RunOptions, "inventory" | "reporter" | "masker">> = {},
): Promise<RunSummary & { events: RunEvent[]; results: Result[]; masker: SecretMasker }> {
  const events: RunEvent[] = [];
  const masker = new SecretMasker();
  const summary = await runPlaybook(playbook, { inventory: loadInventory([inventoryFile]), reporter: { emit: (e) => events.push(e) }, masker, ...options });
  return { ...summary, events, results: events.filter((e): e is Result => e.type === "host_result"), masker };
}

/** `host:status` for every result of a task, sorted, for compact assertions. */
export function statuses(results: Result[], task: string): string[] {
  return results
    .filter((r) => r.task === task)
    .map((r) => `${r.host}:${r.status}${r.item !== undefined ? `(${r.item})` : ""}`)
    .sort();
}
