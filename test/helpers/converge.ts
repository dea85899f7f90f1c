/** Runs an operation's plan and apply against a live target, as the runner does. */
import { LiveFacts } from "../../lib/facts/fact.js";
import type { Connection } from "../../lib/connection/types.js";
import type { Operation, Plan, Target } from "../../lib/ops/operation.js";

export function liveTarget(connection: Connection, options: { check?: boolean; diff?: boolean } = {}): Target {
  return { name: connection.host, connection, facts: new LiveFacts(connection), diff: options.diff ?? false, check: options.check ?? false };
}

/** Plans and applies; returns the first plan and the plan made right after (which should be empty). */
export async function converge(connection: Connection, operation: Operation): Promise<{ first: Plan; second: Plan }> {
  const first = await operation.plan(liveTarget(connection, { diff: true }));
  if (first.changes.length > 0) await first.apply?.();
  const second = await operation.plan(liveTarget(connection));
  return { first, second };
}
