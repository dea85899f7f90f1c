/**
 * concurrently: independent operations (files at different paths: a component's programs) planned
 * and applied together instead of one after another. Their facts are read at once, across the host's
 * shells, and their uploads go to the host as one input to one script (upload-batch.ts): measured on
 * the lab, each file sent alone cost about 30 ms beyond its bytes.
 *
 * Only for operations that do not depend on each other's effects: the runner applies a task's other
 * operations strictly in order.
 */
import { UnreachableError } from "../connection/types.js";
import type { ApplyOutcome, FileDiff, Operation, Plan, Target } from "./operation.js";

export function concurrently(title: string, operations: readonly Operation[]): Operation {
  return {
    title,
    async plan(target: Target): Promise<Plan> {
      const plans = await Promise.all(operations.map((operation) => operation.plan(target)));
      const changing = plans.filter((plan) => plan.changes.length > 0);
      const data = Object.assign({}, ...plans.map((plan) => plan.data));
      if (changing.length === 0) return { changes: [], data };
      return {
        changes: changing.flatMap((plan) => plan.changes),
        diffs: changing.flatMap((plan): readonly FileDiff[] => plan.diffs ?? []),
        data,
        async apply() {
          // Every operation runs to its end (a host's uploads together, atomic per script:
          // upload-batch.ts); then the failures are reported.
          const settled = await Promise.allSettled(changing.map((plan) => plan.apply?.()));
          // Distinct: the files of one upload script fail together, with its one error.
          const failures = [...new Set(settled.filter((result): result is PromiseRejectedResult => result.status === "rejected").map((result) => result.reason as Error))];
          if (failures.length > 0) {
            // Some may have changed the host: the runner forgets facts only after a success.
            target.facts.invalidate();
            // A lost connection says more than what it made fail, and makes the host unreachable.
            const first = failures.find((error) => error instanceof UnreachableError) ?? failures[0]!;
            if (failures.length > 1 && !(first instanceof UnreachableError)) first.message += ` (and ${failures.length - 1} more: ${failures.filter((e) => e !== first).map((e) => e.message).join("; ")})`;
            throw first;
          }
          const outcomes = settled.map((result) => (result as PromiseFulfilledResult<ApplyOutcome | void>).value);
          return {
            changed: outcomes.some((outcome) => outcome?.changed !== false),
            data: Object.assign({}, ...outcomes.map((outcome) => outcome?.data)),
          };
        },
      };
    },
  };
}
