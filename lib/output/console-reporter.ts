/**
 * Output that reads like ansible-playbook's: PLAY and TASK banners, one status line per host,
 * a PLAY RECAP with the same counters. Colours only on a terminal; -v adds each change, -vv the
 * number of remote commands and the time per host. A task still running after 10 s says which
 * hosts it waits for.
 */
import type { Writable } from "node:stream";
import type { HostCounters, Reporter, RunEvent } from "./events.js";
import type { SecretMasker } from "./masker.js";
import { renderDiff } from "./unified-diff.js";

const COLORS = { ok: 32, changed: 33, skipped: 36, failed: 31, unreachable: 31, warning: 35, diffAdd: 32, diffRemove: 31 } as const;
const PROGRESS_EVERY_MS = 10_000;

export interface ConsoleOptions {
  readonly out: Writable & { isTTY?: boolean };
  readonly verbosity: number;
  readonly masker: SecretMasker;
  readonly color?: boolean;
}

export class ConsoleReporter implements Reporter {
  private readonly color: boolean;
  private pending = new Set<string>();
  private progressTimer: NodeJS.Timeout | undefined;
  private taskStartedAt = 0;

  constructor(private readonly options: ConsoleOptions) {
    this.color = options.color ?? (!!options.out.isTTY && !process.env["NO_COLOR"]);
  }

  emit(event: RunEvent): void {
    switch (event.type) {
      case "playbook_start":
        if (event.check) this.line(this.paint("warning", "Check mode: nothing will be changed on any host."));
        break;
      case "play_start":
        this.stopProgress();
        this.banner(`PLAY [${event.play}]`);
        if (event.hosts.length === 0) this.line("skipping: no hosts matched");
        break;
      case "task_start":
        this.stopProgress();
        this.banner(`${event.handler ? "RUNNING HANDLER" : "TASK"} [${event.role ? `${event.role} : ` : ""}${event.task}]`);
        this.pending = new Set(event.hosts);
        this.taskStartedAt = Date.now();
        this.progressTimer = setInterval(() => this.progress(), PROGRESS_EVERY_MS);
        this.progressTimer.unref();
        break;
      case "host_result":
        this.pending.delete(event.host);
        this.hostResult(event);
        break;
      case "warning":
        this.line(this.paint("warning", `[WARNING]: ${event.message}`));
        break;
      case "recap":
        this.stopProgress();
        this.banner("PLAY RECAP");
        for (const [host, c] of Object.entries(event.stats)) this.line(this.recapLine(host, c));
        this.line("");
        break;
      case "playbook_end":
        this.stopProgress();
        break;
    }
  }

  private hostResult(event: Extract<RunEvent, { type: "host_result" }>): void {
    if (event.diffs && event.diffs.length > 0) for (const diff of event.diffs) this.diff(renderDiff(diff));
    const host = event.delegatedTo ? `${event.host} -> ${event.delegatedTo}` : event.host;
    const item = event.item === undefined ? "" : ` => (item=${event.item})`;
    const detail = this.options.verbosity >= 2 ? ` (${event.commands} cmd, ${event.durationMs} ms)` : "";
    if (event.status === "failed" || event.status === "unreachable") {
      const kind = event.status === "failed" ? "FAILED!" : "UNREACHABLE!";
      const label = event.ignored ? "failed" : "fatal";
      this.line(this.paint(event.status, `${label}: [${host}]${item}: ${kind} => ${event.message ?? ""}`) + detail);
      if (event.ignored) this.line(this.paint("skipped", "...ignoring"));
      return;
    }
    const label = event.status === "skipped" ? "skipping" : event.status;
    const reason = event.status === "skipped" && event.message && this.options.verbosity >= 1 ? ` => ${event.message}` : "";
    this.line(this.paint(event.status, `${label}: [${host}]${item}${reason}`) + detail);
    if (this.options.verbosity >= 1) for (const change of event.changes) this.line(this.paint(event.status, `    ${change}`));
  }

  private recapLine(host: string, c: HostCounters): string {
    const field = (name: keyof HostCounters, kind: keyof typeof COLORS) => {
      const text = `${name}=${c[name]}`.padEnd(name.length + 5);
      return c[name] > 0 && kind !== "ok" ? this.paint(kind, text) : text;
    };
    const name = c.failed || c.unreachable ? this.paint("failed", host) : c.changed ? this.paint("changed", host) : this.paint("ok", host);
    const padding = " ".repeat(Math.max(1, 27 - host.length));
    return `${name}${padding}: ${this.paint("ok", `ok=${c.ok}`.padEnd(7))} ${field("changed", "changed")} ${field("unreachable", "unreachable")} ${field("failed", "failed")} ${field("skipped", "skipped")} ${field("rescued", "ok")} ${field("ignored", "ok")}`.trimEnd();
  }

  private progress(): void {
    if (this.pending.size === 0) return;
    const seconds = Math.round((Date.now() - this.taskStartedAt) / 1000);
    const hosts = [...this.pending];
    this.line(this.paint("skipped", `... still running after ${seconds} s on ${hosts.slice(0, 8).join(", ")}${hosts.length > 8 ? ` and ${hosts.length - 8} more` : ""}`));
  }

  private stopProgress(): void {
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = undefined;
  }

  private banner(title: string): void {
    this.line("");
    this.line(`${title} ${"*".repeat(Math.max(3, 79 - title.length))}`);
  }

  private diff(text: string): void {
    for (const l of text.split("\n")) {
      if (l.startsWith("+") && !l.startsWith("+++")) this.line(this.paint("diffAdd", l));
      else if (l.startsWith("-") && !l.startsWith("---")) this.line(this.paint("diffRemove", l));
      else this.line(l);
    }
  }

  private paint(kind: keyof typeof COLORS, text: string): string {
    return this.color ? `\x1b[${COLORS[kind]}m${text}\x1b[0m` : text;
  }

  private line(text: string): void {
    this.options.out.write(this.options.masker.mask(text) + "\n");
  }
}
