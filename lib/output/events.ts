/** Everything a run reports, as events: the console and JSON-lines reporters both render these. */
import type { FileDiff } from "../ops/operation.js";

export type HostStatus = "ok" | "changed" | "skipped" | "failed" | "unreachable";

export interface HostCounters {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export type RunEvent =
  | { readonly type: "playbook_start"; readonly playbook: string; readonly check: boolean; readonly diff: boolean }
  | { readonly type: "play_start"; readonly play: string; readonly hosts: readonly string[] }
  | { readonly type: "task_start"; readonly task: string; readonly role?: string; readonly handler: boolean; readonly hosts: readonly string[] }
  | {
      readonly type: "host_result";
      readonly host: string;
      readonly task: string;
      readonly role?: string;
      readonly status: HostStatus;
      readonly changes: readonly string[];
      readonly diffs?: readonly FileDiff[];
      readonly message?: string;
      readonly item?: string;
      readonly ignored?: boolean;
      readonly delegatedTo?: string;
      /** Remote commands this result took (round trips), for -vv and the benchmark. */
      readonly commands: number;
      readonly durationMs: number;
    }
  | { readonly type: "warning"; readonly message: string }
  | { readonly type: "recap"; readonly stats: Readonly<Record<string, HostCounters>> }
  | { readonly type: "playbook_end"; readonly exitCode: number; readonly durationMs: number };

export interface Reporter {
  emit(event: RunEvent): void;
  /** Flushes buffered output; called once at the end. */
  close?(): Promise<void>;
}

/** Sends every event to several reporters (console and a JSON-lines file). */
export function fanOut(...reporters: Reporter[]): Reporter {
  return {
    emit: (event) => reporters.forEach((r) => r.emit(event)),
    close: async () => void (await Promise.all(reporters.map((r) => r.close?.()))),
  };
}
