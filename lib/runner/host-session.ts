/**
 * A host's state for the whole run: its connection (opened on first use, one per host), its fact
 * cache, the results it registered, the handlers it has been notified for, and whether it has
 * failed or become unreachable (then it takes no further part, as in Ansible).
 */
import { LocalConnection } from "../connection/local.js";
import { openConnection } from "../connection/open.js";
import type { ConnectionSettings } from "../connection/settings.js";
import type { Connection } from "../connection/types.js";
import { LiveFacts, type FactSource } from "../facts/fact.js";
import { withBecome } from "../connection/with-become.js";
import type { HostFacts } from "../facts/host-facts.js";
import type { HostCounters } from "../output/events.js";
import type { TaskOutcome } from "./types.js";

export class HostSession {
  private openedConnection: Connection | undefined;
  private openedLocal: Connection | undefined;
  /** Facts are read as the task runs (with or without become): root-only files differ. */
  private readonly factsByBecome = new Map<string, LiveFacts>();
  private localFacts: LiveFacts | undefined;
  gathered: HostFacts | undefined;
  readonly results: Record<string, TaskOutcome> = {};
  readonly notified = new Set<string>();
  state: "active" | "failed" | "unreachable" = "active";
  readonly counters: HostCounters = { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };

  constructor(
    readonly name: string,
    readonly settings: ConnectionSettings,
  ) {}

  get connection(): Connection {
    this.openedConnection ??= openConnection(this.settings);
    return this.openedConnection;
  }

  /** The connection and facts for a task's become setting (undefined: the host's default). */
  target(become: boolean | undefined): { connection: Connection; facts: FactSource } {
    const connection = withBecome(this.connection, become);
    const key = String(become);
    let facts = this.factsByBecome.get(key);
    if (!facts) {
      facts = new LiveFacts(connection);
      this.factsByBecome.set(key, facts);
    }
    const all = this.factsByBecome;
    // A change made as one user invalidates what every user saw.
    return { connection, facts: { get: (fact, args) => facts.get(fact, args), invalidate: () => all.forEach((f) => f.invalidate()) } };
  }

  /** The control machine, for tasks delegated to localhost; become is not used there. */
  get local(): { connection: Connection; facts: LiveFacts } {
    this.openedLocal ??= LocalConnection.controlMachine();
    this.localFacts ??= new LiveFacts(this.openedLocal);
    return { connection: this.openedLocal, facts: this.localFacts };
  }

  /** Remote commands sent so far (the benchmark counts round trips with this). */
  get commandCount(): number {
    return this.openedConnection?.commandCount ?? 0;
  }

  async close(): Promise<void> {
    await this.openedConnection?.close();
  }
}
