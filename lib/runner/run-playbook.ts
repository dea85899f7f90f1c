/**
 * Runs a playbook the way ansible-playbook's linear strategy does: play by play, batch by batch
 * (`serial`), task by task across the batch's hosts in parallel (up to `forks`), then the notified
 * handlers. A failed or unreachable host stops for itself only; `anyErrorsFatal` and
 * `maxFailPercentage` stop everything. Nothing connects before prepareRun has checked all inputs.
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
  const { reporter } = options;
  reporter.emit({ type: "playbook_start", playbook: playbook.name, check: !!options.check, diff: !!options.diff });
  for (const warning of prepared.warnings) reporter.emit({ type: "warning", message: warning });

  const sessions = new Map<string, HostSession>();
  for (const [host, settings] of prepared.settings) sessions.set(host, new HostSession(host, settings));
  try {
    for (const play of prepared.plays) {
      const stop = await runPlay(play, prepared, sessions, options);
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

/** Runs one play; true when the whole run must stop (anyErrorsFatal, maxFailPercentage). */
async function runPlay(prepared: PreparedPlay, run: PreparedRun, sessions: Map<string, HostSession>, options: RunOptions): Promise<boolean> {
  const { play } = prepared;
  const { reporter } = options;
  const active = (hosts: readonly string[]) => hosts.filter((h) => sessions.get(h)!.state === "active");
  reporter.emit({ type: "play_start", play: play.name, hosts: active(prepared.hosts) });
  const selection = options.tags ?? ALL_TAGS;
  const tasks: ScheduledTask[] = [
    ...(play.roles ?? []).flatMap((role) => role.tasks.map((task): ScheduledTask => ({ task, role }))),
    ...(play.tasks ?? []).map((task): ScheduledTask => ({ task })),
  ].filter(({ task, role }) => shouldRunTask(effectiveTags(task, role, play.tags), selection));
  const forks = Math.max(1, options.forks ?? DEFAULT_FORKS);

  for (const batch of serialBatches(active(prepared.hosts), play.serial)) {
    if ((play.gatherFacts ?? true) && tasks.length > 0) await gatherFacts(active(batch), sessions, forks, reporter);
    for (const scheduled of tasks) {
      const hosts = active(batch);
      if (hosts.length === 0) break;
      if (scheduled.task.flushHandlers) await runHandlers(prepared, run, batch, sessions, options, forks);
      else await runTaskOnHosts(scheduled, hosts, prepared, run, sessions, options, forks, false);
      if (shouldStop(prepared, batch, sessions)) return true;
    }
    await runHandlers(prepared, run, batch, sessions, options, forks);
    if (shouldStop(prepared, batch, sessions)) return true;
  }
  return false;
}

function effectiveTags(task: Task<any>, role: Role<any> | undefined, playTags: readonly string[] | undefined): string[] {
  return [...(task.tags ?? []), ...(role ? [role.name] : []), ...(playTags ?? [])];
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

async function runTaskOnHosts(
  scheduled: ScheduledTask,
  hosts: string[],
  prepared: PreparedPlay,
  run: PreparedRun,
  sessions: Map<string, HostSession>,
  options: RunOptions,
  forks: number,
  handler: boolean,
): Promise<void> {
  const { task, role } = scheduled;
  const targets = task.runOnce ? hosts.slice(0, 1) : hosts;
  options.reporter.emit({ type: "task_start", task: task.name, role: role?.name, handler, hosts: targets });
  const results = await mapLimited(targets, Math.min(forks, task.throttle ?? forks), async (host) => {
    const session = sessions.get(host)!;
    const vars = role ? prepared.roleVars.get(host)!.get(role.name)! : prepared.playVars.get(host)!;
    const result = await executeTask({
      task,
      session,
      vars,
      inventory: run.inventoryView,
      check: !!options.check,
      diff: !!options.diff,
      become: prepared.play.become,
    });
    record(session, scheduled, result, options);
    return result;
  });
  if (task.runOnce && results[0]) {
    // Like Ansible, the one outcome is every host's: registered values and notified handlers.
    for (const host of hosts.slice(1)) {
      const session = sessions.get(host)!;
      if (task.register) session.results[task.register] = results[0].outcome;
      if (results[0].status === "changed") for (const name of task.notify ?? []) session.notified.add(name);
    }
  }
}

function record(session: HostSession, scheduled: ScheduledTask, result: TaskResult, options: RunOptions): void {
  const { task, role } = scheduled;
  for (const report of result.reports) {
    options.reporter.emit({
      type: "host_result",
      host: session.name,
      task: task.name,
      role: role?.name,
      status: report.status,
      changes: report.changes,
      diffs: report.diffs,
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
      for (const name of task.notify ?? []) session.notified.add(name);
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

function markFailed(session: HostSession, state: "failed" | "unreachable"): void {
  session.state = state;
  session.counters[state]++;
}

/** Notified handlers, in the order they are defined, each on the hosts that notified it. */
async function runHandlers(
  prepared: PreparedPlay,
  run: PreparedRun,
  batch: readonly string[],
  sessions: Map<string, HostSession>,
  options: RunOptions,
  forks: number,
): Promise<void> {
  for (const [name, { task, role }] of prepared.handlers) {
    const hosts = batch.filter((h) => sessions.get(h)!.state === "active" && sessions.get(h)!.notified.has(name));
    if (hosts.length === 0) continue;
    for (const host of hosts) sessions.get(host)!.notified.delete(name);
    await runTaskOnHosts({ task, role }, hosts, prepared, run, sessions, options, forks, true);
  }
}
