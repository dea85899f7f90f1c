/** The control machine itself (delegate_to: localhost, ansible_connection=local), run through zx. */
import { createReadStream } from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { stripSudoPrompt, wrapWithSudo } from "./become.js";
import type { ConnectionSettings } from "./settings.js";
import { feedParts, type Feed } from "./input-feed.js";
import type { CommandResult, Connection, InputPart, RunOptions } from "./types.js";

export class LocalConnection implements Connection {
  commandCount = 0;

  constructor(readonly settings: Pick<ConnectionSettings, "inventoryName" | "user" | "become" | "becomeByDefault">) {}

  /** The control machine as tasks delegated to localhost use it: as the user running easy-kube. */
  static controlMachine(): LocalConnection {
    return new LocalConnection({ inventoryName: "localhost", user: "", become: { user: "" }, becomeByDefault: false });
  }

  get host(): string {
    return this.settings.inventoryName;
  }

  /** Whether sudo asks for a password here, found once; the password is sent only if it does. */
  private passwordNeeded: Promise<boolean> | undefined;

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    const needsSudo = (options.become ?? this.settings.becomeByDefault) && this.settings.become.user !== this.settings.user;
    // zx is loaded by the first local command: runs that only use SSH never pay its start-up cost.
    const { $ } = await import("zx");
    let become = this.settings.become;
    if (needsSudo && become.password !== undefined) {
      this.passwordNeeded ??= $({ nothrow: true, quiet: true })`sudo -n -u ${become.user} true`.then((r) => r.exitCode !== 0);
      if (!(await this.passwordNeeded)) become = { user: become.user };
    }
    const parts = options.stdinParts !== undefined ? partsStream(options.stdinParts) : undefined;
    const stdin = parts ? parts.stream : options.stdinFile !== undefined ? createReadStream(options.stdinFile) : options.stdin;
    const wrapped = needsSudo ? wrapWithSudo(command, become, stdin) : { command, stdin };
    this.commandCount++;
    const output = await $({
      input: wrapped.stdin ?? "",
      nothrow: true,
      quiet: true,
      timeout: options.timeoutMs,
    })`/bin/sh -c ${wrapped.command}`;
    // A command that ended before it read everything (a missing folder) leaves the feed waiting.
    parts?.feed.stop();
    // A part that failed its check ended the input early; the command's own verdict does not count.
    if (parts?.failure) throw parts.failure;
    const bytes = output.buffer();
    return {
      stdout: bytes.toString("utf8"),
      stdoutBytes: bytes,
      stderr: needsSudo ? stripSudoPrompt(output.stderr) : output.stderr,
      code: output.exitCode ?? 128,
    };
  }

  async close(): Promise<void> {}
}

/** The parts as one stream; a failed part ends it there (the command sees the input end early). */
function partsStream(parts: readonly InputPart[]): { stream: Readable; feed: Feed; failure?: Error } {
  const stream = new PassThrough();
  // Copied: a PassThrough calls back as soon as it handed a chunk on, while the pipe to the command
  // may still hold it, and the feed reuses its buffers once called back.
  const sink = { write: (chunk: Buffer, callback?: (error?: Error | null) => void) => stream.write(Buffer.from(chunk), callback), end: () => stream.end() };
  const state: { stream: Readable; feed: Feed; failure?: Error } = { stream, feed: { stop: () => undefined } };
  state.feed = feedParts(parts, 256 * 1024)(sink, (error) => {
    state.failure ??= error;
    stream.end();
  });
  return state;
}
