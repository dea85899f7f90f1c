/**
 * A fact is one remote command plus a parser (pyinfra's shape). Operations read facts to decide
 * what to change; a FactSource caches them per host for the run and forgets them when an
 * operation changes the host, so the next reader sees the new state.
 */
import type { CommandResult, Connection } from "../connection/types.js";

export interface Fact<Args, Result> {
  readonly name: string;
  command(args: Args): string;
  parse(output: CommandResult, args: Args): Result;
}

export function defineFact<Args, Result>(fact: Fact<Args, Result>): Fact<Args, Result> {
  return fact;
}

export interface FactSource {
  get<Args, Result>(fact: Fact<Args, Result>, args: Args): Promise<Result>;
  /** Drops cached facts: the host was changed. */
  invalidate(): void;
}

export function factKey(name: string, args: unknown): string {
  return `${name}:${JSON.stringify(args)}`;
}

/** Facts read live over a connection, each at most once until invalidated. */
export class LiveFacts implements FactSource {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(private readonly connection: Connection) {}

  get<Args, Result>(fact: Fact<Args, Result>, args: Args): Promise<Result> {
    const key = factKey(fact.name, args);
    let pending = this.cache.get(key) as Promise<Result> | undefined;
    if (!pending) {
      pending = this.connection.run(fact.command(args)).then((output) => fact.parse(output, args));
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }

  invalidate(): void {
    this.cache.clear();
  }
}

/** Facts from recorded command output, for testing an operation's check half without a host. */
export class RecordedFacts implements FactSource {
  constructor(private readonly recorded: Record<string, Partial<CommandResult> & { stdout?: string }>) {}

  async get<Args, Result>(fact: Fact<Args, Result>, args: Args): Promise<Result> {
    const key = factKey(fact.name, args);
    const output = this.recorded[key];
    if (!output) throw new Error(`fact ${key} is not recorded; recorded: ${Object.keys(this.recorded).join(", ")}`);
    const stdout = output.stdout ?? "";
    return fact.parse({ stdout, stdoutBytes: Buffer.from(stdout), stderr: output.stderr ?? "", code: output.code ?? 0 }, args);
  }

  invalidate(): void {}
}
