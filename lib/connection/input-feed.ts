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
 */
import { closeSync, openSync, readSync } from "node:fs";
import type { Writable } from "node:stream";
import { UNPACED, type SendPace } from "./send-pacing.js";

/** A feed in progress: stop() ends it early (the command failed, the connection went away). */
export interface Feed {
  stop(): void;
}

/**
 * Starts writing into `sink`, ends it after the last byte; a read error goes to `onError`. A piece
 * is written only when `pace` has room for it (send-pacing.ts).
 */
export type InputFeed = (sink: Writable, onError: (error: Error) => void, pace?: SendPace) => Feed;

/** Buffers per file being sent: one being read while others wait for the channel's window. */
const BUFFERS_PER_FEED = 3;

export function feedFile(path: string, pieceBytes: number): InputFeed {
  return (sink, onError, pace = UNPACED) => {
    let fd: number | undefined;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      queueMicrotask(() => onError(error as Error));
      return { stop: () => undefined };
    }
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
    const finishIfDone = () => {
      if (atEnd && inFlight === 0 && !stopped) {
        stop();
        sink.end();
      }
    };
    const pump = () => {
      while (!stopped && !atEnd && free.length > 0) {
        if (!pace.hasRoomFor(pieceBytes)) return pace.whenRoomFor(pieceBytes, pump);
        const buffer = free.pop()!;
        let read: number;
        try {
          read = readSync(fd!, buffer, 0, pieceBytes, position);
        } catch (error) {
          stop();
          return onError(error as Error);
        }
        if (read === 0) {
          atEnd = true;
          return finishIfDone();
        }
        position += read;
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
