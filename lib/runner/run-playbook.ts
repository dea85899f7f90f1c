/**
 * Runs a playbook the way ansible-playbook's linear strategy does: play by play, batch by batch
 * (`serial`), task by task across the batch's hosts in parallel (up to `forks`), then the notified
 * handlers. A failed or unreachable host stops for itself only; `anyErrorsFatal` and
 * `maxFailPercentage` stop everything. Nothing connects before prepareRun has checked all inputs.
 * Notified handlers are remembered on the control machine until they ran (pending-handlers.ts),
 * so a run that stops after a change still restarts the service on the next run.
 */
import { hostFacts } from "../facts/host-facts.js";
import type { Inventory } from "../inventory/inventory.js";
import type { Vars } from "../inventory/model.js";
import type { ConnectionOverrides } from "../connection/settings.js";
import type { HostCounters, Reporter } from "../output/events.js";
import type { SecretMasker } from "../output/masker.js";
import { mapLimited } from "../util/semaphore.js";
import { executeTask, type TaskResult } from "./execute-task.js";
import { HostSession } from "./host-session.js";
import { PendingHandlers, pendingHandlersFolder, type PendingHandler } from "./pending-handlers.js";
import { prepareRun, type PreparedPlay, type PreparedRun } from "./prepare-run.js";
import { serialBatches } from "./serial.js";
import { ALL_TAGS, shouldRunTask, type TagSelection } from "./tags.js";
import type { Playbook, Role, Task } from "./types.js";

export interface RunOptions {
  readonly inventory: Inventory;
  readonly limit?: string;
  readonly tags?: TagSelection;
  readonly check?: boolean;
  readonly diff?: boolean;
  /** Hosts worked on at once. @default 50 */
  readonly forks?: number;
  readonly extraVars?: Vars;
  readonly connection?: ConnectionOverrides;
  readonly reporter: Reporter;
  readonly masker: SecretMasker;
  /** Run notified handlers also on hosts that failed (ansible-playbook's --force-handlers). */
  readonly forceHandlers?: boolean;
}

export interface RunSummary {
  readonly stats: Readonly<Record<string, HostCounters>>;
  /** As ansible-playbook: 0 ok, 2 a host failed, 4 a host was unreachable. */
  readonly exitCode: number;
}

export const DEFAULT_FORKS = 50;

export async function runPlaybook(playbook: Playbook, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const prepared = prepareRun(playbook, {
    inventory: options.inventory,
    limit: options.limit,
    extraVars: options.extraVars ?? {},
    connection: options.connection ?? {},
  });
  for (const secret of prepared.secrets) options.masker.add(secret);
  const pending = new PendingHandlers(pendingHandlersFolder(options.inventory.baseDirs[0]), !options.check);
  const { reporter } = options;
  reporter.emit({ type: "playbook_start", playbook: playbook.name, check: !!options.check, diff: !!options.diff });
  for (const warning of prepared.warnings) reporter.emit({ type: "warning", message: warning });

  const sessions = new Map<string, HostSession>();
  for (const [host, settings] of prepared.settings) sessions.set(host, new HostSession(host, settings));
  try {
    for (const play of prepared.plays) {
      const stop = await runPlay(play, { prepared, sessions, pending, options });
      if (stop) break;
    }
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.close()));
  }

  const stats = Object.fromEntries([...sessions].map(([host, session]) => [host, session.counters]));
  const values = Object.values(stats);
  const exitCode = values.some((c) => c.failed > 0) ? 2 : values.some((c) => c.unreachable > 0) ? 4 : 0;
  reporter.emit({ type: "recap", stats });
  reporter.emit({ type: "playbook_end", exitCode, durationMs: Date.now() - started });
  return { stats, exitCode };
}

interface ScheduledTask {
  readonly task: Task<any>;
  readonly role?: Role<any>;
}

/** What every step of a run works with. */
interface RunState {
  readonly prepared: PreparedRun;
  readonly sessions: Map<string, HostSession>;
  readonly pending: PendingHandlers;
  readonly options: RunOptions;
}

/** Runs one play; true when the whole run must stop (anyErrorsFatal, maxFailPercentage). */
async function runPlay(prepared: PreparedPlay, run: RunState): Promise<boolean> {
  const { play } = prepared;
  const { sessions, options } = run;
  const { reporter } = options;
  const active = (hosts: readonly string[]) => hosts.filter((h) => sessions.get(h)!.state === "active");
  reporter.emit({ type: "play_start", play: play.name, hosts: active(prepared.hosts) });
  const selection = options.tags ?? ALL_TAGS;
  const tasks: ScheduledTask[] = [
    ...(play.roles ?? []).flatMap((role) => role.tasks.map((task): ScheduledTask => ({ task, role }))),
    ...(play.tasks ?? []).map((task): ScheduledTask => ({ task })),
  ].filter(({ task, role }) => shouldRunTask(effectiveTags(task, role, play.tags), selection));
  const forks = Math.max(1, options.forks ?? DEFAULT_FORKS);
  takeUpPendingHandlers(prepared, tasks, active(prepared.hosts), run);

  for (const batch of serialBatches(active(prepared.hosts), play.serial)) {
    if ((play.gatherFacts ?? true) && tasks.length > 0) await gatherFacts(active(batch), sessions, forks, reporter);
    for (const scheduled of tasks) {
      const hosts = active(batch);
      if (hosts.length === 0) break;
      if (scheduled.task.flushHandlers) await runHandlers(prepared, batch, run, forks);
      else await runTaskOnHosts(scheduled, hosts, prepared, run, forks, false);
      if (shouldStop(prepared, batch, sessions)) {
        if (options.forceHandlers) await runHandlers(prepared, batch, run, forks);
        return true;
      }
    }
    await runHandlers(prepared, batch, run, forks);
    if (shouldStop(prepared, batch, sessions)) return true;
  }
  return false;
}

function effectiveTags(task: Task<any>, role: Role<any> | undefined, playTags: readonly string[] | undefined): string[] {
  return [...(task.tags ?? []), ...(role ? [role.name] : []), ...(playTags ?? [])];
}

/** A role's handlers belong to the role (whichever play runs it); other handlers to their play. */
function handlerOwner(prepared: PreparedPlay, role: Role<any> | undefined): string {
  return role ? `role ${role.name}` : `play ${prepared.play.name}`;
}

/**
 * Handlers an earlier run notified on these hosts but never ran are notified again, when this play
 * runs their owner (a role with at least one selected task; a play's own handlers with any task),
 * and the output says why. In check mode they are reported as they would run, and stay pending.
 */
function takeUpPendingHandlers(prepared: PreparedPlay, tasks: readonly ScheduledTask[], hosts: readonly string[], run: RunState): void {
  const running = new Set(tasks.map(({ role }) => handlerOwner(prepared, role)));
  if (tasks.length > 0) running.add(handlerOwner(prepared, undefined));
  const hostsByHandler = new Map<string, string[]>();
  for (const host of hosts) {
    for (const { owner, handler } of run.pending.of(host)) {
      const defined = prepared.handlers.get(handler);
      if (!defined || handlerOwner(prepared, defined.role) !== owner || !running.has(owner)) continue;
      run.sessions.get(host)!.notified.add(handler);
      hostsByHandler.set(handler, [...(hostsByHandler.get(handler) ?? []), host]);
    }
  }
  for (const [handler, notified] of hostsByHandler) {
    const when = run.options.check ? "it would run at the end of this play (check mode: it stays pending)" : "it runs at the end of this play";
    run.options.reporter.emit({
      type: "warning",
      message: `handler '${handler}' is pending from an earlier run on ${notified.join(", ")} (notified there, but that run stopped before the handler ran): ${when}`,
    });
  }
}

function shouldStop(prepared: PreparedPlay, batch: readonly string[], sessions: Map<string, HostSession>): boolean {
  const failed = batch.filter((h) => sessions.get(h)!.state !== "active").length;
  if (failed === 0) return false;
  if (prepared.play.anyErrorsFatal) return true;
  const limit = prepared.play.maxFailPercentage;
  return limit !== undefined && (failed / batch.length) * 100 > limit;
}

async function gatherFacts(hosts: string[], sessions: Map<string, HostSession>, forks: number, reporter: Reporter): Promise<void> {
  const needed = hosts.filter((h) => !sessions.get(h)!.gathered);
  if (needed.length === 0) return;
  reporter.emit({ type: "task_start", task: "Gathering Facts", handler: false, hosts: needed });
  await mapLimited(needed, forks, async (host) => {
    const session = sessions.get(host)!;
    const started = Date.now();
    const before = session.commandCount;
    try {
      session.gathered = await session.target(undefined).facts.get(hostFacts, null);
      session.counters.ok++;
      reporter.emit({ type: "host_result", host, task: "Gathering Facts", status: "ok", changes: [], commands: session.commandCount - before, durationMs: Date.now() - started });
    } catch (error) {
      const unreachable = (error as Error).name === "UnreachableError";
      markFailed(session, unreachable ? "unreachable" : "failed");
      reporter.emit({
        type: "host_result",
        host,
        task: "Gathering Facts",
        status: unreachable ? "unreachable" : "failed",
        changes: [],
        message: (error as Error).message,
        commands: session.commandCount - before,
        durationMs: Date.now() - started,
      });
    }
  });
}

/** Runs a task on the hosts; the result of each host that ran it (with runOnce: the first host's, for all). */
async function runTaskOnHosts(
  scheduled: ScheduledTask,
  hosts: string[],
  prepared: PreparedPlay,
  run: RunState,
  forks: number,
  handler: boolean,
): Promise<Map<string, TaskResult>> {
  const { task, role } = scheduled;
  const { sessions, options } = run;
  const targets = task.runOnce ? hosts.slice(0, 1) : hosts;
  const varsOf = (host: string) => (role ? prepared.roleVars.get(host)!.get(role.name)! : prepared.playVars.get(host)!);
  options.reporter.emit({ type: "task_start", task: task.name, role: role?.name, handler, hosts: targets });
  const results = await mapLimited(targets, Math.min(forks, throttleFor(task, targets, varsOf)), async (host) => {
    const session = sessions.get(host)!;
    const result = await executeTask({
      task,
      session,
      vars: varsOf(host),
      inventory: run.prepared.inventoryView,
      check: !!options.check,
      diff: !!options.diff,
      become: prepared.play.become,
    });
    record(session, scheduled, result, prepared, run);
    return result;
  });
  const byHost = new Map(targets.map((host, i) => [host, results[i]!]));
  if (task.runOnce && results[0]) {
    // Like Ansible, the one outcome is every host's: registered values and notified handlers.
    for (const host of hosts.slice(1)) {
      const session = sessions.get(host)!;
      if (task.register) session.results[task.register] = results[0].outcome;
      if (results[0].status === "changed") for (const name of task.notify ?? []) notify(session, name, prepared, run);
      byHost.set(host, results[0]);
    }
  }
  return byHost;
}

/** The task's throttle; a throttle read from variables is the smallest any of the hosts asks for. */
function throttleFor(task: Task<any>, hosts: readonly string[], varsOf: (host: string) => Vars): number {
  if (typeof task.throttle === "number") return task.throttle;
  if (!task.throttle || hosts.length === 0) return Number.POSITIVE_INFINITY;
  const throttle = task.throttle;
  return Math.max(1, Math.min(...hosts.map((host) => throttle({ vars: varsOf(host) }))));
}

function record(session: HostSession, scheduled: ScheduledTask, result: TaskResult, prepared: PreparedPlay, run: RunState): void {
  const { task, role } = scheduled;
  for (const report of result.reports) {
    run.options.reporter.emit({
      type: "host_result",
      host: session.name,
      task: task.name,
      role: role?.name,
      status: report.status,
      changes: report.changes,
      // A secret file's content (a key, a token, a discovery URL) stays here: every reporter, a
      // user's own too, learns only that it changed.
      diffs: report.diffs.map((d) => (d.secret ? { path: d.path, before: "", after: "", secret: true } : d)),
      message: report.message,
      item: report.item,
      ignored: report.ignored,
      delegatedTo: task.delegateTo,
      commands: report.commands,
      durationMs: report.durationMs,
    });
  }
  if (task.register) session.results[task.register] = result.outcome;
  const counters = session.counters;
  switch (result.status) {
    case "changed":
      counters.ok++;
      counters.changed++;
      for (const name of task.notify ?? []) notify(session, name, prepared, run);
      break;
    case "ok":
      counters.ok++;
      break;
    case "skipped":
      counters.skipped++;
      break;
    case "failed":
      // As in Ansible's recap, a failure with ignoreErrors counts as ok and as ignored.
      if (result.ignored) {
        counters.ok++;
        counters.ignored++;
      } else markFailed(session, "failed");
      break;
    case "unreachable":
      markFailed(session, "unreachable");
      break;
  }
}

/** Notifies a handler on the host, and remembers it on the control machine until it has run. */
function notify(session: HostSession, name: string, prepared: PreparedPlay, run: RunState): void {
  session.notified.add(name);
  run.pending.add(session.name, pendingEntry(name, prepared));
}

function pendingEntry(name: string, prepared: PreparedPlay): PendingHandler {
  return { owner: handlerOwner(prepared, prepared.handlers.get(name)?.role), handler: name };
}

function markFailed(session: HostSession, state: "failed" | "unreachable"): void {
  session.state = state;
  session.counters[state]++;
}

/**
 * Notified handlers, in the order they are defined, each on the hosts that notified it (with
 * forceHandlers also on hosts that failed since). A handler that ran is no longer pending; one
 * that failed stays pending, for the next run to try again.
 */
async function runHandlers(prepared: PreparedPlay, batch: readonly string[], run: RunState, forks: number): Promise<void> {
  const { sessions } = run;
  const eligible = (host: string) => {
    const state = sessions.get(host)!.state;
    return state === "active" || (!!run.options.forceHandlers && state === "failed");
  };
  for (const [name, { task, role }] of prepared.handlers) {
    const hosts = batch.filter((h) => eligible(h) && sessions.get(h)!.notified.has(name));
    if (hosts.length === 0) continue;
    for (const host of hosts) sessions.get(host)!.notified.delete(name);
    const results = await runTaskOnHosts({ task, role }, hosts, prepared, run, forks, true);
    for (const [host, result] of results) {
      const ran = result.status !== "unreachable" && (result.status !== "failed" || result.ignored);
      if (ran) run.pending.remove(host, pendingEntry(name, prepared));
    }
  }
}
