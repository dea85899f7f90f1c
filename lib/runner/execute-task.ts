/**
 * Runs one task on one host: `when`, loops (with `when` per item), retries/until, delegation to the
 * control machine, become, and for each operation the plan -> apply cycle. In check mode only
 * plans run, and what they would change is reported as changed. Facts are forgotten after a change.
 */
import { UnreachableError } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import type { FactSource } from "../facts/fact.js";
import type { HostFacts } from "../facts/host-facts.js";
import type { Vars } from "../inventory/model.js";
import type { FileDiff, Operation, Target } from "../ops/operation.js";
import type { HostStatus } from "../output/events.js";
import type { HostSession } from "./host-session.js";
import type { InventoryView, TaskContext, Task, TaskOutcome } from "./types.js";

export interface TaskInput {
  readonly task: Task<any>;
  readonly session: HostSession;
  readonly vars: Vars;
  readonly inventory: InventoryView;
  readonly check: boolean;
  readonly diff: boolean;
  /** The play's become, overridden by the task's. */
  readonly become: boolean | undefined;
}

export interface ItemReport {
  readonly status: HostStatus;
  readonly changes: readonly string[];
  readonly diffs: readonly FileDiff[];
  readonly message?: string;
  readonly item?: string;
  readonly ignored: boolean;
  readonly commands: number;
  readonly durationMs: number;
}

export interface TaskResult {
  readonly status: HostStatus;
  readonly outcome: TaskOutcome;
  readonly ignored: boolean;
  readonly reports: readonly ItemReport[];
}

const DEFAULT_UNTIL_RETRIES = 3;
const DEFAULT_RETRY_DELAY_SECONDS = 5;

export async function executeTask(input: TaskInput): Promise<TaskResult> {
  const { task } = input;
  const baseContext = context(input, undefined);
  if (!task.loop) {
    if (task.when && !task.when(baseContext)) return skipped("condition is false");
    const report = await runItem(input, baseContext, undefined);
    return finish(input, [report.report], report.outcome);
  }
  const items = task.loop(baseContext);
  const reports: ItemReport[] = [];
  const outcomes: TaskOutcome[] = [];
  for (const item of items) {
    const ctx = context(input, item);
    const label = task.loopLabel ? task.loopLabel(item) : typeof item === "object" ? JSON.stringify(item) : String(item);
    if (task.when && !task.when(ctx)) {
      reports.push({ status: "skipped", changes: [], diffs: [], item: label, ignored: false, commands: 0, durationMs: 0, message: "condition is false" });
      outcomes.push({ changed: false, failed: false, skipped: true, data: { item } });
      continue;
    }
    const { report, outcome } = await runItem(input, ctx, label);
    reports.push(report);
    outcomes.push({ ...outcome, data: { ...outcome.data, item } });
    if (report.status === "unreachable") break;
  }
  const aggregate: TaskOutcome = {
    changed: outcomes.some((o) => o.changed),
    failed: outcomes.some((o) => o.failed),
    skipped: outcomes.length > 0 && outcomes.every((o) => o.skipped),
    data: {},
    results: outcomes,
  };
  return finish(input, reports, aggregate);
}

function finish(input: TaskInput, reports: ItemReport[], outcome: TaskOutcome): TaskResult {
  const statuses = reports.map((r) => r.status);
  const status: HostStatus = statuses.includes("unreachable")
    ? "unreachable"
    : statuses.includes("failed")
      ? "failed"
      : statuses.includes("changed")
        ? "changed"
        : statuses.length > 0 && statuses.every((s) => s === "skipped")
          ? "skipped"
          : "ok";
  const ignored = status === "failed" && !!input.task.ignoreErrors;
  return { status, outcome, ignored, reports };
}

function skipped(reason: string): TaskResult {
  return {
    status: "skipped",
    outcome: { changed: false, failed: false, skipped: true, data: {} },
    ignored: false,
    reports: [{ status: "skipped", changes: [], diffs: [], message: reason, ignored: false, commands: 0, durationMs: 0 }],
  };
}

async function runItem(input: TaskInput, ctx: TaskContext, item: string | undefined): Promise<{ report: ItemReport; outcome: TaskOutcome }> {
  const { task } = input;
  const started = Date.now();
  const commandsBefore = commandCount(input);
  const maxAttempts = 1 + (task.retries ?? (task.until ? DEFAULT_UNTIL_RETRIES : 0));
  let attempt = 0;
  for (;;) {
    attempt++;
    const result = await attemptOperations(input, ctx);
    const retryWanted = task.until ? !task.until(result.outcome) : result.status === "failed";
    if (result.status === "unreachable" || !retryWanted || attempt >= maxAttempts || input.check) {
      const failedUntil = task.until !== undefined && retryWanted && result.status !== "failed" && result.status !== "unreachable" && !input.check;
      const status: HostStatus = failedUntil ? "failed" : result.status;
      const message = failedUntil ? `the condition was still false after ${attempt} attempts` : result.message;
      const ignored = status === "failed" && !!task.ignoreErrors;
      return {
        report: {
          status,
          changes: result.changes,
          diffs: result.diffs,
          message: attempt > 1 && message ? `${message} (after ${attempt} attempts)` : message,
          item,
          ignored,
          commands: commandCount(input) - commandsBefore,
          durationMs: Date.now() - started,
        },
        outcome: { ...result.outcome, failed: status === "failed" },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, (task.delaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS) * 1000));
  }
}

interface Attempt {
  readonly status: HostStatus;
  readonly changes: string[];
  readonly diffs: FileDiff[];
  readonly message?: string;
  readonly outcome: TaskOutcome;
}

async function attemptOperations(input: TaskInput, ctx: TaskContext): Promise<Attempt> {
  const changes: string[] = [];
  const diffs: FileDiff[] = [];
  const data: Record<string, unknown> = {};
  let changed = false;
  let skippedReason: string | undefined;
  try {
    const produced = input.task.action?.(ctx);
    const operations: readonly Operation[] = produced === undefined ? [] : Array.isArray(produced) ? produced : [produced as Operation];
    const target = targetFor(input);
    for (const operation of operations) {
      const plan = await operation.plan(target);
      Object.assign(data, plan.data);
      if (plan.skipped) skippedReason = plan.skipped;
      if (plan.changes.length === 0) continue;
      changes.push(...plan.changes);
      diffs.push(...(plan.diffs ?? []));
      if (input.check) {
        changed = true;
        continue;
      }
      const outcome = plan.apply ? await plan.apply() : undefined;
      target.facts.invalidate();
      Object.assign(data, outcome?.data);
      if (outcome?.changed !== false) changed = true;
    }
    const status: HostStatus = changed ? "changed" : skippedReason && changes.length === 0 ? "skipped" : "ok";
    return { status, changes: changed ? changes : [], diffs: changed ? diffs : [], message: skippedReason, outcome: { changed, failed: false, skipped: status === "skipped", data } };
  } catch (error) {
    const unreachable = error instanceof UnreachableError;
    const failureData = (error as { data?: Record<string, unknown> }).data;
    return {
      status: unreachable ? "unreachable" : "failed",
      changes,
      diffs: [],
      message: describeError(error),
      outcome: { changed, failed: true, skipped: false, data: { ...data, ...failureData, msg: describeError(error) } },
    };
  }
}

function targetFor(input: TaskInput): Target & { facts: FactSource } {
  const become = input.task.become ?? input.become;
  if (input.task.delegateTo === "localhost") {
    const local = input.session.local;
    return { name: "localhost", connection: local.connection, facts: local.facts, diff: input.diff, check: input.check };
  }
  const { connection, facts } = input.session.target(become);
  return { name: input.session.name, connection, facts, diff: input.diff, check: input.check };
}

function context(input: TaskInput, item: unknown): TaskContext {
  const { session } = input;
  return {
    host: session.name,
    vars: input.vars,
    get facts(): HostFacts {
      if (!session.gathered) throw new EasyKubeError(`task '${input.task.name}' reads facts, but facts were not gathered for ${session.name} (gatherFacts: false)`);
      return session.gathered;
    },
    item,
    results: session.results,
    inventory: input.inventory,
    check: input.check,
  };
}

function commandCount(input: TaskInput): number {
  return input.task.delegateTo === "localhost" ? input.session.local.connection.commandCount : input.session.commandCount;
}

function describeError(error: unknown): string {
  if (error instanceof EasyKubeError || (error instanceof Error && ["OperationFailed", "UnreachableError", "CommandFailedError", "InputError"].includes(error.name))) {
    return error.message;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}${process.env["EASYKUBE_DEBUG"] ? `\n${error.stack}` : ""}`;
  return String(error);
}
