/**
 * The operation contract. `plan` reads facts and returns the changes it would make (none means
 * "ok"); `apply` makes exactly those. Check mode calls only `plan`, so a dry run reports what a real
 * run would change, and a second real run reports nothing: `changed` is decided from facts alone.
 */
import type { Connection } from "../connection/types.js";
import type { FactSource } from "../facts/fact.js";

/** What a host offers an operation. */
export interface Target {
  readonly name: string;
  readonly connection: Connection;
  readonly facts: FactSource;
  /** --diff: operations include before/after text of files they change. */
  readonly diff: boolean;
  /** --check: only `plan` will run; operations that wait or probe must not block on changes that were not made. */
  readonly check: boolean;
}

export interface FileDiff {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  /** Keys and tokens: the diff is reported without content. */
  readonly secret?: boolean;
}

export interface ApplyOutcome {
  /** Overrides "changed" (e.g. a command's changedWhen); defaults to true. */
  readonly changed?: boolean;
  /** Values a later task can read through `register`. */
  readonly data?: Record<string, unknown>;
}

export interface Plan {
  /** One line per change, e.g. "mode 0644 -> 0600"; empty when the host is as wanted. */
  readonly changes: readonly string[];
  readonly diffs?: readonly FileDiff[];
  /** Values for `register` known without applying (read-only operations, current state). */
  readonly data?: Record<string, unknown>;
  /** Makes the changes; called only when there are changes and not in check mode. */
  apply?(): Promise<ApplyOutcome | void>;
  /** Set when the operation did nothing on purpose (e.g. a wait in check mode); reported as skipped. */
  readonly skipped?: string;
}

export interface Operation {
  /** A short description for verbose output, e.g. "copy /etc/etcd/etcd.conf". */
  readonly title: string;
  plan(target: Target): Promise<Plan>;
}

/** An operation found the host in a state it cannot work with; the task fails with this message. */
export class OperationFailed extends Error {
  override readonly name = "OperationFailed";
  constructor(
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}
