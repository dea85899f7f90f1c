/**
 * assert: fails the task with a message when a condition about the host does not hold (Ansible's
 * `assert`). Changes nothing, so it behaves the same in check mode: a dry run fails where the real
 * run would.
 */
import { OperationFailed, type Operation } from "./operation.js";

/** `problems` lists what is wrong; an empty list passes. */
export function assertThat(title: string, problems: readonly string[]): Operation {
  return {
    title,
    async plan() {
      if (problems.length > 0) throw new OperationFailed(problems.join("; "));
      return { changes: [] };
    },
  };
}
