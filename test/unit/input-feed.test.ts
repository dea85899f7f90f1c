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
import type { SendPace } from "../../lib/connection/send-pacing.js";

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
  feedBytes(Buffer.from("hello"), 1024)(sink, () => undefined);
  await ended;
  expect(Buffer.concat(received).toString()).toBe("hello");
});

/**
 * A pace that lets `limit` bytes be in flight and grants them back only when the test says so (as a
 * host taking in what arrived), recording the most that was ever in flight.
 */
function manualPace(limit: number): SendPace & { grant(): void; inFlight: number; most: number; waits: number } {
  let wake: (() => void) | undefined;
  return {
    inFlight: 0,
    most: 0,
    waits: 0,
    hasRoomFor(bytes) {
      return this.inFlight === 0 || this.inFlight + bytes <= limit;
    },
    whenRoomFor(_bytes, resume) {
      this.waits++;
      wake = resume;
    },
    sent(bytes) {
      this.inFlight += bytes;
      this.most = Math.max(this.most, this.inFlight);
    },
    grant() {
      this.inFlight = 0;
      const resume = wake;
      wake = undefined;
      resume?.();
    },
    commandStarted: () => undefined,
    stop: () => undefined,
  };
}

describe("with a pace", () => {
  for (const [name, start] of [
    ["feedFile", (bytes: Buffer) => (writeFileSync(join(dir, "paced.bin"), bytes), feedFile(join(dir, "paced.bin"), 4096))],
    ["feedBytes", (bytes: Buffer) => feedBytes(bytes, 4096)],
  ] as const) {
    it(`${name} writes a piece only when the pace has room, and waits for the host to take some in`, async () => {
      const bytes = randomBytes(10 * 4096 + 17);
      const { sink, received, ended } = slowSink();
      const pace = manualPace(2 * 4096);
      start(bytes)(sink, () => undefined, pace);
      let done = false;
      void ended.then(() => (done = true));
      while (!done) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        pace.grant();
      }
      expect(Buffer.concat(received).equals(bytes)).toBe(true);
      expect(pace.most).toBeLessThanOrEqual(2 * 4096);
      expect(pace.waits).toBeGreaterThanOrEqual(5); // held back between grants, not sent all at once
    });
  }
});
