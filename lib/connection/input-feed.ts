/**
 * What a streamed command's standard input is fed from: a file on the control machine, read piece by
 * piece into a few buffers that are reused once the channel has taken their bytes, or bytes already
 * in memory.
 *
 * Not fs.createReadStream: it allocates a new buffer per piece (for 100 MB to 3 hosts, a third of
 * the controller's CPU went to garbage collection) and reads on the thread pool, whose hand-off cost
 * more than the read itself (about 120 us per 256 KB piece, measured on the lab). The pieces are read
 * on the main thread instead: a file sent by an operation was usually hashed moments before or by a
 * recent run (localDigest), so its pages are in memory and a read is a copy. A file that is not
 * (its digest remembered from long ago, a slow network file system) holds every host's traffic for
 * the disk's latency per piece: put the bundle on a local disk.
 *
 * A file may be sent as the bytes of a digest (SentFile): then exactly its size is sent, and the
 * feed ends only once it is sure those were the hashed bytes (by the open file's stamp, or by
 * hashing them as they go). Several pieces can follow one another in one input (feedParts), each
 * started only after the one before ended well: what follows a file tells the host it checked out.
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { openFileStamp } from "../util/file-stamp.js";
import { UNPACED, type SendPace } from "./send-pacing.js";
import type { InputPart, SentFile } from "./types.js";

/** Where a feed writes: an SSH channel, a pipe to a local command, or the next piece of a longer input. */
export interface FeedSink {
  /**
   * The callback runs once the sink no longer needs `chunk` (the feed then reuses its buffer): an
   * SSH channel has copied it into packets by then; a stream that only queues it must copy it.
   */
  write(chunk: Buffer, callback?: (error?: Error | null) => void): unknown;
  end(): unknown;
}

/** A feed in progress: stop() ends it early (the command failed, the connection went away). */
export interface Feed {
  stop(): void;
}

/**
 * Starts writing into `sink`, ends it after the last byte; a read error (or a file that is not the
 * one it should be) goes to `onError`, and the sink is then not ended. A piece is written only when
 * `pace` has room for it (send-pacing.ts).
 */
export type InputFeed = (sink: FeedSink, onError: (error: Error) => void, pace?: SendPace) => Feed;

/** Buffers per file being sent: one being read while others wait for the channel's window. */
const BUFFERS_PER_FEED = 3;

/** A file's bytes; with `expected`, exactly its size, ended only once they proved to be its digest's. */
export function feedFile(path: string, pieceBytes: number, expected?: SentFile): InputFeed {
  return (sink, onError, pace = UNPACED) => {
    let fd: number | undefined;
    try {
      fd = openSync(path, "r");
      if (expected?.stamp !== undefined && openFileStamp(fd) !== expected.stamp) throw changedSinceHashed(path);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      queueMicrotask(() => onError(error as Error));
      return { stop: () => undefined };
    }
    // Without a stamp to rely on, the bytes are hashed as they are read.
    const hash: Hash | undefined = expected && expected.stamp === undefined ? createHash("sha256") : undefined;
    const free = Array.from({ length: BUFFERS_PER_FEED }, () => Buffer.allocUnsafeSlow(pieceBytes));
    let position = 0;
    let inFlight = 0;
    let atEnd = false;
    let stopped = false;

    const stop = () => {
      if (stopped) return;
      stopped = true;
      closeSync(fd!);
    };
    const fail = (error: Error) => {
      stop();
      onError(error);
    };
    const finishIfDone = () => {
      if (!atEnd || inFlight > 0 || stopped) return;
      const problem = expected && sentBytesProblem(path, fd!, expected, hash);
      if (problem) return fail(problem);
      stop();
      sink.end();
    };
    const pump = () => {
      while (!stopped && !atEnd && free.length > 0) {
        if (!pace.hasRoomFor(pieceBytes)) return pace.whenRoomFor(pieceBytes, pump);
        const buffer = free.pop()!;
        const wanted = expected ? Math.min(pieceBytes, expected.size - position) : pieceBytes;
        let read: number;
        try {
          read = wanted === 0 ? 0 : readSync(fd!, buffer, 0, wanted, position);
        } catch (error) {
          return fail(error as Error);
        }
        if (read === 0) {
          if (expected && position < expected.size) return fail(new Error(`${path} has ${position} bytes, not the ${expected.size} it had when it was hashed: it changed, nothing was installed`));
          atEnd = true;
          return finishIfDone();
        }
        position += read;
        hash?.update(buffer.subarray(0, read));
        inFlight++;
        pace.sent(read);
        // The channel has copied the bytes into its packets when it calls back: the buffer is free.
        sink.write(buffer.subarray(0, read), (error) => {
          inFlight--;
          if (error) return stop(); // the channel is gone: its close says what happened
          free.push(buffer);
          if (atEnd) finishIfDone();
          else pump();
        });
      }
    };
    pump();
    return { stop };
  };
}

/** Why the bytes sent may not be the ones `expected` describes, if they may not. */
function sentBytesProblem(path: string, fd: number, expected: SentFile, hash: Hash | undefined): Error | undefined {
  if (hash) {
    const sha256 = hash.digest("hex");
    return sha256 === expected.sha256 ? undefined : new Error(`${path} now has sha256 ${sha256}, not the ${expected.sha256} it was planned with: it changed, nothing was installed`);
  }
  return openFileStamp(fd) === expected.stamp ? undefined : changedSinceHashed(path);
}

function changedSinceHashed(path: string): Error {
  return new Error(`${path} changed since it was hashed (its size, times or inode differ): nothing was installed; run again to send the new version`);
}

/** Bytes in memory, written in pieces of `pieceBytes` as `pace` has room for them. */
export function feedBytes(bytes: Buffer, pieceBytes: number): InputFeed {
  return (sink, _onError, pace = UNPACED) => {
    let position = 0;
    let stopped = false;
    const pump = () => {
      while (!stopped && position < bytes.length) {
        const piece = bytes.subarray(position, position + pieceBytes);
        if (!pace.hasRoomFor(piece.length)) return pace.whenRoomFor(piece.length, pump);
        position += piece.length;
        pace.sent(piece.length);
        sink.write(piece);
      }
      if (!stopped) sink.end();
    };
    pump();
    return { stop: () => void (stopped = true) };
  };
}

/** The parts one after another into one sink, each started once the one before ended well. */
export function feedParts(parts: readonly InputPart[], pieceBytes: number): InputFeed {
  return (sink, onError, pace = UNPACED) => {
    let index = 0;
    let current: Feed | undefined;
    let stopped = false;
    const next = () => {
      if (stopped) return;
      if (index === parts.length) return void sink.end();
      const part = parts[index++]!;
      const feed = "bytes" in part ? feedBytes(part.bytes, pieceBytes) : feedFile(part.file.path, pieceBytes, part.file);
      current = feed({ write: (chunk, callback) => sink.write(chunk, callback), end: next }, onError, pace);
    };
    next();
    return {
      stop() {
        stopped = true;
        current?.stop();
      },
    };
  };
}
