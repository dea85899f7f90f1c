/**
 * A file fed to a streamed command: every byte in order, through no more than a few buffers reused
 * once the channel took their bytes (not one new buffer per piece), the sink ended after the last
 * byte; a missing file is an error, and a stopped feed reads no further.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { feedBytes, feedFile } from "../../lib/connection/input-feed.js";

const dir = mkdtempSync(join(tmpdir(), "ek-feed-"));

/** A sink that takes its time (as a channel waiting for its window) and keeps copies of what it got. */
function slowSink(): { sink: Writable; received: Buffer[]; buffersSeen: Set<ArrayBufferLike>; ended: Promise<void> } {
  const received: Buffer[] = [];
  const buffersSeen = new Set<ArrayBufferLike>();
  let resolveEnded: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      buffersSeen.add(chunk.buffer);
      received.push(Buffer.from(chunk));
      setTimeout(callback, 1);
    },
    final(callback) {
      callback();
      resolveEnded();
    },
  });
  return { sink, received, buffersSeen, ended };
}

describe("feedFile", () => {
  it("sends every byte in order through a few reused buffers, then ends the sink", async () => {
    const path = join(dir, "data.bin");
    const bytes = randomBytes(5 * 64 * 1024 + 123);
    writeFileSync(path, bytes);
    const { sink, received, buffersSeen, ended } = slowSink();
    const errors: Error[] = [];
    feedFile(path, 64 * 1024)(sink, (error) => errors.push(error));
    await ended;
    expect(errors).toEqual([]);
    expect(Buffer.concat(received).equals(bytes)).toBe(true);
    expect(received.length).toBe(6);
    expect(buffersSeen.size).toBeLessThanOrEqual(3);
  });

  it("reports a file it cannot open, writing nothing", async () => {
    const { sink, received } = slowSink();
    const error = await new Promise<Error>((resolve) => feedFile(join(dir, "missing.bin"), 1024)(sink, resolve));
    expect(error.message).toMatch(/ENOENT/);
    expect(received).toEqual([]);
  });

  it("reads no further once stopped", async () => {
    const path = join(dir, "long.bin");
    writeFileSync(path, randomBytes(64 * 1024));
    const { sink, received } = slowSink();
    const feed = feedFile(path, 1024)(sink, () => undefined);
    feed.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.length).toBeLessThanOrEqual(3); // the pieces handed over before the stop
    expect(sink.writableEnded).toBe(false);
  });
});

it("feedBytes sends the bytes and ends", async () => {
  const { sink, received, ended } = slowSink();
  feedBytes(Buffer.from("hello"))(sink, () => undefined);
  await ended;
  expect(Buffer.concat(received).toString()).toBe("hello");
});
