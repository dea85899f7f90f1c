/** What every connection (SSH to a host, or the control machine itself) offers the engine. */
import type { Duplex } from "node:stream";

export interface CommandResult {
  readonly stdout: string;
  /** stdout as bytes, for binary content (fetched files). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  readonly code: number;
}

/**
 * Inputs up to this size travel inside the command (one round trip); larger ones, and files, are
 * streamed to the command on a channel of their own.
 */
export const INLINE_STDIN = 128 * 1024;

/**
 * A file on the control machine, sent only as the bytes its digest was taken of: while it is read,
 * either the open file keeps `stamp` (util/file-stamp.ts: then nothing changed it since it was
 * hashed, and the bytes need no hashing again) or, without a stamp, the bytes read are hashed and
 * compared. Exactly `size` bytes are sent; a file that changed fails the command's input.
 */
export interface SentFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly stamp?: string;
}

/** A piece of a streamed input: bytes in memory, or a file checked as it is read (SentFile). */
export type InputPart = { readonly bytes: Buffer } | { readonly file: SentFile };

export interface RunOptions {
  /** Bytes written to the command's standard input, then closed. */
  readonly stdin?: string | Buffer;
  /**
   * A file on the control machine streamed to the command's standard input (read in pieces, never
   * whole into memory); instead of `stdin`.
   */
  readonly stdinFile?: string;
  /**
   * Pieces streamed one after another as the command's standard input, each only after the one
   * before was sent whole and checked: a command can take several files and learn, from bytes that
   * follow a file, that the control machine vouches for it. Instead of `stdin` and `stdinFile`.
   */
  readonly stdinParts?: readonly InputPart[];
  /** Run through become (sudo); defaults to the connection's setting. */
  readonly become?: boolean;
  readonly timeoutMs?: number;
}

export interface Connection {
  readonly host: string;
  /** Runs a shell command (`/bin/sh -c`) and resolves with its output; a non-zero exit is not an error. */
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /**
   * A TCP stream to `host:port` as the host sees it (SSH's `-L`); offered by connections that reach
   * another machine, used to talk to a service listening only there (a master's API server).
   */
  forwardTcp?(host: string, port: number): Promise<Duplex>;
  /** Round trips so far (commands and streamed inputs, one each): the benchmark counts these. */
  readonly commandCount: number;
  close(): Promise<void>;
}

/** The host cannot be reached or the session broke: Ansible's "UNREACHABLE". */
export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
}

/** Raised for a command run through `runChecked` that exits non-zero. */
export class CommandFailedError extends Error {
  override readonly name = "CommandFailedError";
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    super(`command failed with exit code ${result.code}: ${command}\n${(result.stderr || result.stdout).trim()}`);
  }
}

export async function runChecked(connection: Connection, command: string, options?: RunOptions): Promise<CommandResult> {
  const result = await connection.run(command, options);
  if (result.code !== 0) throw new CommandFailedError(command, result);
  return result;
}
