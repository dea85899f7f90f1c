/**
 * One command on an exec channel of its own, its standard input streamed from the control machine
 * (a bundle's program, a large file): the bytes flow at the channel's pace, read in pieces, never
 * whole into memory, and no state is left in the long-lived shells (see ShellSession). Not SFTP:
 * minimal hosts (and the lab's machines) have no sftp-server, and this needs nothing but a shell.
 *
 * Through sudo as the shells are: the command first prints a random `ready` marker, and a password
 * is written only when sudo prints its prompt, so neither the password nor the input can reach the
 * wrong reader: where sudo may ask for a password, the input starts only after the marker. Where it
 * cannot (no sudo, or `sudo -n`), nothing but the command reads the channel, and the input starts
 * at once: the first bytes travel while sudo starts (about 30 ms of a host's CPU, measured on the
 * lab) instead of after it. Should sudo refuse, what was sent is dropped with the channel.
 */
import { randomBytes } from "node:crypto";
import type { Client, ClientChannel } from "ssh2";
import type { Feed, InputFeed } from "./input-feed.js";
import { paceChannel, type SendPace, type SendPacing } from "./send-pacing.js";
import { shellQuote } from "./quote.js";
import type { CommandResult } from "./types.js";

export interface SudoStart {
  /** `sudo ... -u USER`, each word quoted. */
  readonly argv: readonly string[];
  /** Unset: sudo runs with -n and never reads its input (the command's input then starts at once). */
  readonly password?: string;
  /** The prompt sudo was told to print (-p), answered with the password once. */
  readonly prompt: string;
}

export interface StreamedExec {
  readonly command: string;
  /**
   * Started once the command is ready for its input where sudo may ask for a password (never then
   * when sudo refused); at once where it cannot (no sudo, or `sudo -n`: `password` unset).
   */
  readonly input: InputFeed;
  /** The connection's send pacing (send-pacing.ts). */
  readonly pacing: SendPacing;
  readonly sudo?: SudoStart;
  readonly timeoutMs?: number;
  /** The error for a channel that could not be opened. */
  readonly cannotOpen: (error: Error) => Error;
  /** The error for a channel that closed without an exit status (the connection was lost). */
  readonly lost: () => Error;
}

export function runStreamed(client: Client, exec: StreamedExec): Promise<CommandResult> {
  const ready = Buffer.from(`ready-${randomBytes(8).toString("hex")}\n`);
  // `exec` keeps the command's own syntax errors and `exit` to itself, after the marker is out.
  const start = `/bin/sh -c ${shellQuote(`echo ${ready.toString().trim()}; exec /bin/sh -c "$1"`)} sh ${shellQuote(exec.command)}`;
  const command = exec.sudo ? `${exec.sudo.argv.join(" ")} ${start}` : start;
  return new Promise((resolve, reject) => {
    client.exec(command, (error: Error | undefined, channel: ClientChannel) => {
      if (error) reject(exec.cannotOpen(error));
      else follow(channel, ready, exec, resolve, reject);
    });
  });
}

function follow(channel: ClientChannel, ready: Buffer, exec: StreamedExec, resolve: (r: CommandResult) => void, reject: (e: Error) => void): void {
  /** Output before the marker (searched for it and the prompt), then the command's own output. */
  const early = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let isReady = false;
  let prompts = 0;
  let refusedBySudo = false;
  let input: Feed | undefined;
  let pace: SendPace | undefined;
  let exit: { code: number | null } | undefined;
  let failure: Error | undefined;
  const timer = exec.timeoutMs
    ? setTimeout(() => fail(new Error(`command timed out after ${exec.timeoutMs! / 1000} s: ${exec.command}`)), exec.timeoutMs)
    : undefined;

  const startInput = () => {
    pace = paceChannel(channel, exec.pacing);
    input = exec.input(channel, fail, pace);
  };
  if (!exec.sudo || exec.sudo.password === undefined) startInput();

  function fail(error: Error): void {
    failure ??= error;
    input?.stop();
    pace?.stop();
    channel.close();
  }

  channel.on("data", (chunk: Buffer) => {
    if (isReady) return void stdout.push(chunk);
    early.stdout = Buffer.concat([early.stdout, chunk]);
    const at = early.stdout.indexOf(ready);
    if (at < 0) return;
    stdout.push(early.stdout.subarray(at + ready.length));
    stderr.push(early.stderr);
    isReady = true;
    if (!input) startInput();
    pace?.commandStarted();
  });
  channel.stderr.on("data", (chunk: Buffer) => {
    if (isReady) return void stderr.push(chunk);
    early.stderr = Buffer.concat([early.stderr, chunk]);
    if (!exec.sudo) return;
    const prompt = Buffer.from(exec.sudo.prompt);
    const at = early.stderr.indexOf(prompt);
    if (at < 0) return;
    early.stderr = Buffer.concat([early.stderr.subarray(0, at), early.stderr.subarray(at + prompt.length)]);
    // sudo asks once; a second prompt means the password was refused (sudo would wait forever).
    if (exec.sudo.password === undefined || ++prompts > 1) {
      refusedBySudo = true;
      channel.close();
    } else channel.write(exec.sudo.password + "\n");
  });
  // Writes after the host's side ended (a full disk stopped the command) fail here; the exit
  // status says what happened.
  channel.on("error", () => undefined);
  channel.on("exit", (code: number | null) => (exit = { code }));
  channel.on("close", () => {
    if (timer) clearTimeout(timer);
    input?.stop();
    pace?.stop();
    if (failure) return reject(failure);
    // The command never started (sudo refused, say): what sudo said is the result, as in the shells.
    if (!isReady && (exit || refusedBySudo)) return resolve(result([], [early.stderr], exit?.code ?? 1));
    if (!exit) return reject(exec.lost());
    resolve(result(stdout, stderr, exit.code ?? 128));
  });
}

function result(stdout: Buffer[], stderr: Buffer[], code: number): CommandResult {
  const out = Buffer.concat(stdout);
  return { stdout: out.toString("utf8"), stdoutBytes: out, stderr: Buffer.concat(stderr).toString("utf8"), code };
}
