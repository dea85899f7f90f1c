/**
 * One long-lived shell on a host (through sudo when the commands need become) that runs commands
 * one after another. Opening an SSH channel, starting the user's login shell and running sudo for
 * every command cost most of a no-change task's time on the host (about 11 ms against 1-2 ms);
 * here they are paid once.
 *
 * Each command travels base64-encoded and runs in a subshell through `eval`, so a syntax error
 * cannot leave the shell waiting for more input, and `exit`, `cd` or `set -e` stay inside it. Its
 * stdin comes from a base64 pipe (or /dev/null). After it, a random marker on stdout (with the exit
 * code) and on stderr ends its output.
 */
import { randomBytes } from "node:crypto";
import type { ClientChannel } from "ssh2";
import type { CommandResult } from "./types.js";

/** Larger inputs (uploads of files) are sent on a channel of their own instead. */
export const MAX_SHELL_STDIN = 256 * 1024;

interface Pending {
  readonly resolve: (result: CommandResult) => void;
  readonly reject: (error: Error) => void;
}

export class ShellSession {
  private readonly nonce = randomBytes(16).toString("hex");
  private stdout = Buffer.alloc(0);
  private stderr = Buffer.alloc(0);
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed: Error | undefined;
  /** Text removed from stderr once (sudo's password prompt). */
  private stripOnce: string | undefined;

  constructor(
    private readonly channel: ClientChannel,
    options: { password?: string; prompt?: string; onClose: () => Error } = { onClose: () => new Error("the shell ended") },
  ) {
    if (options.password !== undefined) {
      channel.write(options.password + "\n");
      this.stripOnce = options.prompt;
    }
    channel.on("data", (chunk: Buffer) => {
      this.stdout = Buffer.concat([this.stdout, chunk]);
      this.settle();
    });
    channel.stderr.on("data", (chunk: Buffer) => {
      this.stderr = Buffer.concat([this.stderr, chunk]);
      this.settle();
    });
    let exitCode: number | undefined;
    channel.on("exit", (code: number | null) => (exitCode = code ?? undefined));
    channel.on("close", () => {
      this.closed = options.onClose();
      const pending = this.pending;
      this.pending = undefined;
      if (!pending) return;
      // The shell itself ended (sudo refused, say): its output is the command's result.
      if (exitCode !== undefined) pending.resolve(this.result(this.stdout, this.stderr, exitCode));
      else pending.reject(this.closed);
    });
  }

  get usable(): boolean {
    return this.closed === undefined;
  }

  /** Runs one command after those already queued. */
  run(command: string, stdin: string | Buffer | undefined, timeoutMs: number | undefined): Promise<CommandResult> {
    const next = this.queue.then(() => this.runNow(command, stdin, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.channel.end();
  }

  private runNow(command: string, stdin: string | Buffer | undefined, timeoutMs: number | undefined): Promise<CommandResult> {
    if (this.closed) return Promise.reject(this.closed);
    const b64 = (data: string | Buffer) => Buffer.from(data).toString("base64");
    const feed = stdin === undefined || stdin.length === 0 ? "</dev/null" : "";
    const script =
      (stdin === undefined || stdin.length === 0 ? "" : `printf '%s' '${b64(stdin)}' | base64 -d | `) +
      `( eval "$(printf '%s' '${b64(command)}' | base64 -d)" ) ${feed}\n` +
      `printf '\\n${this.nonce} %d\\n' $?; printf '\\n${this.nonce}\\n' >&2\n`;
    return new Promise<CommandResult>((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            this.pending = undefined;
            this.closed = new Error(`command timed out after ${timeoutMs / 1000} s: ${command}`);
            this.channel.close();
            reject(this.closed);
          }, timeoutMs)
        : undefined;
      this.pending = {
        resolve: (result) => {
          if (timer) clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          if (timer) clearTimeout(timer);
          reject(error);
        },
      };
      this.channel.write(script);
    });
  }

  /** Completes the running command once both of its markers have arrived. */
  private settle(): void {
    if (!this.pending) return;
    const outMarker = Buffer.from(`\n${this.nonce} `);
    const outAt = this.stdout.indexOf(outMarker);
    if (outAt < 0) return;
    const lineEnd = this.stdout.indexOf(0x0a, outAt + outMarker.length);
    if (lineEnd < 0) return;
    const errMarker = Buffer.from(`\n${this.nonce}\n`);
    const errAt = this.stderr.indexOf(errMarker);
    if (errAt < 0) return;
    const code = Number(this.stdout.subarray(outAt + outMarker.length, lineEnd).toString());
    const stdout = this.stdout.subarray(0, outAt);
    const stderr = this.stderr.subarray(0, errAt);
    this.stdout = this.stdout.subarray(lineEnd + 1);
    this.stderr = this.stderr.subarray(errAt + errMarker.length);
    const pending = this.pending;
    this.pending = undefined;
    pending.resolve(this.result(stdout, stderr, code));
  }

  private result(stdout: Buffer, stderr: Buffer, code: number): CommandResult {
    let errors = stderr.toString("utf8");
    if (this.stripOnce && errors.includes(this.stripOnce)) {
      errors = errors.replace(this.stripOnce, "");
      this.stripOnce = undefined;
    }
    return { stdout: stdout.toString("utf8"), stdoutBytes: Buffer.from(stdout), stderr: errors, code };
  }
}
