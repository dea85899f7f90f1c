/**
 * command: runs a command. Guards decide from facts whether it needs to run at all, so re-runs stay
 * `changed=0`: `creates` (skip when a path exists), `removes` (skip when it does not), `unless`
 * (skip when a probe command succeeds). `readOnly` commands only gather information: they run in
 * check mode too and never report a change. A string is run by /bin/sh; an array is quoted word by word.
 */
import { shellCommand, shellQuote } from "../connection/quote.js";
import type { CommandResult } from "../connection/types.js";
import { defineFact } from "../facts/fact.js";
import { OperationFailed, type Operation, type Plan, type Target } from "./operation.js";

export interface CommandData {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdout_lines: string[];
}

export interface CommandArgs {
  readonly cmd: string | readonly string[];
  readonly creates?: string;
  readonly removes?: string;
  /** A probe: when it exits 0 the command is not needed. */
  readonly unless?: string;
  readonly chdir?: string;
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /** Reads only: runs in check mode and reports ok. */
  readonly readOnly?: boolean;
  readonly changedWhen?: (result: CommandData) => boolean;
  /** @default rc != 0 */
  readonly failedWhen?: (result: CommandData) => boolean;
  /**
   * The command handles secrets (a token or URL in its text, keys in its output): neither its text
   * nor its output appears in the title, the changes, the registered failure message or the events.
   */
  readonly secret?: boolean;
  readonly timeoutSeconds?: number;
}

export function command(args: CommandArgs): Operation {
  const text = typeof args.cmd === "string" ? args.cmd : shellCommand(...args.cmd);
  const shown = args.secret ? SECRET_COMMAND : text;
  return {
    title: `command ${shown}`,
    async plan(target): Promise<Plan> {
      if (args.readOnly) {
        const data = await execute(target, args, text);
        return { changes: [], data: { ...data } };
      }
      const reason = await guardReason(target, args);
      if (reason) return { changes: [], data: { skipped_reason: reason } };
      return {
        changes: [`run: ${shown}`],
        async apply() {
          const data = await execute(target, args, text);
          return { changed: args.changedWhen ? args.changedWhen(data) : true, data: { ...data } };
        },
      };
    },
  };
}

const SECRET_COMMAND = "(hidden: the command handles secrets)";

interface Guards {
  readonly creates?: string;
  readonly removes?: string;
  readonly unless?: string;
}

/** One round trip answers every guard: why the command is not needed, or "" when it is. */
const guardFact = defineFact<Guards, string>({
  name: "command_guards",
  command: ({ creates, removes, unless }) =>
    [
      ...(creates ? [`if [ -e ${shellQuote(creates)} ]; then echo ${shellQuote(`${creates} exists`)}; exit 0; fi`] : []),
      ...(removes ? [`if [ ! -e ${shellQuote(removes)} ]; then echo ${shellQuote(`${removes} does not exist`)}; exit 0; fi`] : []),
      ...(unless ? [`if ( ${unless} ) >/dev/null 2>&1; then echo ${shellQuote(`unless: ${unless} succeeded`)}; exit 0; fi`] : []),
    ].join("\n"),
  parse: ({ stdout }) => stdout.trim(),
});

async function guardReason(target: Target, args: CommandArgs): Promise<string | undefined> {
  if (!args.creates && !args.removes && !args.unless) return undefined;
  const guards: Guards = { creates: args.creates, removes: args.removes, unless: args.unless };
  return (await target.facts.get(guardFact, guards)) || undefined;
}

async function execute(target: Target, args: CommandArgs, text: string): Promise<CommandData> {
  const env = Object.entries(args.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const script = [...env, ...(args.chdir ? [`cd ${shellQuote(args.chdir)}`] : []), text].join("\n");
  const options = { stdin: args.stdin, timeoutMs: args.timeoutSeconds === undefined ? undefined : args.timeoutSeconds * 1000 };
  let result: CommandResult;
  try {
    result = await target.connection.run(script, options);
  } catch (error) {
    // A timeout's message quotes the command.
    if (args.secret && (error as Error).name !== "UnreachableError") throw new OperationFailed(`command ${SECRET_COMMAND} did not finish: ${(error as Error).message.split(":")[0]}`);
    throw error;
  }
  const data: CommandData = {
    rc: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
    stdout_lines: result.stdout.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1),
  };
  const failed = args.failedWhen ? args.failedWhen(data) : data.rc !== 0;
  if (failed) {
    if (args.secret) throw new OperationFailed(`command failed (rc=${data.rc}): ${SECRET_COMMAND}; its output is hidden too`, { ...data });
    const output = (data.stderr || data.stdout).trim();
    throw new OperationFailed(`command failed (rc=${data.rc}): ${text}${output ? `\n${output}` : ""}`, { ...data });
  }
  return data;
}
