/**
 * One long-lived shell on a host (through sudo when the commands need become) that runs commands
 * one after another. Opening an SSH channel, starting the user's login shell and running sudo for
 * every command cost most of a no-change task's time on the host (about 11 ms against 1-2 ms);
 * here they are paid once.
 *
 * Each command travels single-quoted and runs in a subshell through `eval`, so a syntax error
 * cannot leave the shell waiting for more input, and `exit`, `cd` or `set -e` stay inside it; the
 * quoting costs the host no process (a base64 decoder per command cost three). Its stdin comes
 * from a base64 pipe (bytes of any kind, up to INLINE_STDIN) or /dev/null; larger inputs go to
 * their command on a channel of its own (see streamed-exec.ts), so nothing here changes the shell
 * (an earlier `umask 077` for their temporary file stayed for every later command).
 * After it, a random marker on stdout (with the exit code) and on stderr ends its output.
 *
 * A sudo password is written only when sudo prints its prompt (never when sudo does not ask, where
 * the shell would run it as a command), and commands only after the shell reports it is ready.
 */
import { randomBytes } from "node:crypto";
import type { ClientChannel } from "ssh2";
import { shellQuote } from "./quote.js";
import type { CommandResult } from "./types.js";

interface Pending {
  readonly resolve: (result: CommandResult) => void;
  readonly reject: (error: Error) => void;
}

export interface ShellStart {
  /** The command that starts the shell: prints `ready` on stdout, then runs /bin/sh on stdin. */
  readonly command: string;
  readonly ready: string;
}

/** How to start the shell: plain, or through sudo (with -S and a known prompt when a password is set). */
export function shellStart(sudo: { argv: string[] } | undefined, nonce: string): ShellStart {
  const ready = `ready-${nonce}`;
  const inner = `echo ${ready}; exec /bin/sh`;
  if (!sudo) return { command: `/bin/sh -c '${inner}'`, ready };
  return { command: `${sudo.argv.join(" ")} /bin/sh -c '${inner}'`, ready };
}

/** A growing byte buffer that finds a marker without copying everything on every chunk. */
class Stream {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes already searched without a match: the next search starts near their end. */
  private searchedUpTo = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Index of the marker, searching only the bytes that arrived since the last search (and a margin). */
  find(marker: Buffer): number {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    const all = this.chunks[0] ?? Buffer.alloc(0);
    const from = Math.max(0, this.searchedUpTo - marker.length);
    const at = all.indexOf(marker, from);
    this.searchedUpTo = at < 0 ? all.length : this.searchedUpTo;
    return at;
  }

  bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Removes and returns the first `end` bytes, dropping `skip` more after them. */
  take(end: number, skip: number): Buffer {
    const all = this.bytes();
    const head = Buffer.from(all.subarray(0, end));
    const rest = all.subarray(end + skip);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    this.searchedUpTo = 0;
    return head;
  }
}

export class ShellSession {
  private readonly nonce = randomBytes(16).toString("hex");
  private readonly stdout = new Stream();
  private readonly stderr = new Stream();
  private pending: Pending | undefined;
  private queue: Promise<unknown>;
  private closed: Error | undefined;
  private exitCode: number | undefined;
  private prompts = 0;
  /** What sudo said before a prompt ("Sorry, try again."), kept for the failure message. */
  private sudoMessages = "";

  constructor(
    private readonly channel: ClientChannel,
    private readonly start: ShellStart,
    private readonly sudo: { password?: string; prompt: string } | undefined,
    onClose: () => Error,
    /** Called for every script sent: one round trip each. */
    private readonly onRoundTrip: () => void = () => undefined,
  ) {
    let markReady: () => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    let isReady = false;
    channel.on("data", (chunk: Buffer) => {
      this.stdout.push(chunk);
      if (!isReady) {
        const at = this.stdout.find(Buffer.from(`${this.start.ready}\n`));
        if (at < 0) return;
        this.stdout.take(at, this.start.ready.length + 1);
        isReady = true;
        markReady();
      }
      this.settle();
    });
    channel.stderr.on("data", (chunk: Buffer) => {
      this.stderr.push(chunk);
      if (!isReady && this.sudo) this.answerPrompt();
      this.settle();
    });
    channel.on("exit", (code: number | null) => (this.exitCode = code ?? undefined));
    channel.on("close", () => {
      this.closed = onClose();
      if (!isReady) {
        // The shell never started (sudo refused, say): that is every waiting command's result.
        const said = Buffer.concat([Buffer.from(this.sudoMessages), this.stderr.bytes()]);
        failReady(new ShellNotStarted(this.result(Buffer.alloc(0), said, this.exitCode ?? 1)));
        return;
      }
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(this.closed);
    });
    this.queue = ready;
  }

  get usable(): boolean {
    return this.closed === undefined;
  }

  /** Runs one command after those already queued. */
  run(command: string, stdin: string | Buffer | undefined, timeoutMs: number | undefined): Promise<CommandResult> {
    const next = this.queue.then(
      () => this.runWithInput(command, stdin, timeoutMs),
      (error: unknown) => {
        if (error instanceof ShellNotStarted) return error.result;
        throw error;
      },
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.channel.end();
  }

  /** sudo asks once; a second prompt means the password was refused (sudo would wait forever). */
  private answerPrompt(): void {
    const prompt = Buffer.from(this.sudo!.prompt);
    const at = this.stderr.find(prompt);
    if (at < 0) return;
    this.sudoMessages += this.stderr.take(at, prompt.length).toString("utf8");
    this.prompts++;
    if (this.sudo!.password === undefined || this.prompts > 1) this.channel.close();
    else this.channel.write(this.sudo!.password + "\n");
  }

  private runWithInput(command: string, stdin: string | Buffer | undefined, timeoutMs: number | undefined): Promise<CommandResult> {
    const run = `( eval ${shellQuote(command)} )`;
    if (stdin === undefined || stdin.length === 0) return this.runScript(`${run} </dev/null`, command, timeoutMs);
    return this.runScript(`printf '%s' '${Buffer.from(stdin).toString("base64")}' | base64 -d | ${run}`, command, timeoutMs);
  }

  private runScript(script: string, command: string, timeoutMs: number | undefined): Promise<CommandResult> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<CommandResult>((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            this.pending = undefined;
            this.closed = new Error(`command timed out after ${timeoutMs / 1000} s: ${command}`);
            this.channel.close();
            reject(this.closed);
          }, timeoutMs)
        : undefined;
      const done = () => timer && clearTimeout(timer);
      this.pending = { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) };
      this.onRoundTrip();
      this.channel.write(`${script}\nprintf '\\n${this.nonce} %d\\n' $?; printf '\\n${this.nonce}\\n' >&2\n`);
    });
  }

  /** Completes the running command once both of its markers have arrived. */
  private settle(): void {
    if (!this.pending) return;
    const outMarker = Buffer.from(`\n${this.nonce} `);
    const outAt = this.stdout.find(outMarker);
    if (outAt < 0) return;
    const bytes = this.stdout.bytes();
    const lineEnd = bytes.indexOf(0x0a, outAt + outMarker.length);
    if (lineEnd < 0) return;
    const errMarker = Buffer.from(`\n${this.nonce}\n`);
    const errAt = this.stderr.find(errMarker);
    if (errAt < 0) return;
    const code = Number(bytes.subarray(outAt + outMarker.length, lineEnd).toString());
    const stdout = this.stdout.take(outAt, lineEnd + 1 - outAt);
    const stderr = this.stderr.take(errAt, errMarker.length);
    const pending = this.pending;
    this.pending = undefined;
    pending.resolve(this.result(stdout, stderr, code));
  }

  private result(stdout: Buffer, stderr: Buffer, code: number): CommandResult {
    return { stdout: stdout.toString("utf8"), stdoutBytes: stdout, stderr: stderr.toString("utf8"), code };
  }
}

class ShellNotStarted extends Error {
  constructor(readonly result: CommandResult) {
    super("the shell did not start");
  }
}
