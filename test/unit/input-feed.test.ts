/**
 * A file fed to a streamed command: every byte in order, through no more than a few buffers reused
 * once the channel took their bytes (not one new buffer per piece), the sink ended after the last
 * byte; a missing file is an error, and a stopped feed reads no further. A file sent as the bytes
 * of a digest ends only when it proved to be them, and parts follow one another only while each
 * ended well.
 */
import { describe, expect, it } from "vitest";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { feedBytes, feedFile, feedParts, type InputFeed } from "../../lib/connection/input-feed.js";
import type { SendPace } from "../../lib/connection/send-pacing.js";
import type { SentFile } from "../../lib/connection/types.js";
import { fileStamp, statForStamp } from "../../lib/util/file-stamp.js";

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

/** A file's digest as an upload plans it: its size and sha256, and its stamp when `stamped`. */
function planned(path: string, stamped: boolean): SentFile {
  const bytes = readFileSync(path);
  const digest = { path, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  return stamped ? { ...digest, stamp: fileStamp(statForStamp(path)) } : digest;
}

/** Longer than a tick of the file system's clock: a change after it shows in mtime and ctime. */
const aTickLater = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Feeds until the sink ends or the feed reports an error, whichever comes first. */
async function outcome(feed: InputFeed, sink: Writable, ended: Promise<void>): Promise<Error | "ended"> {
  return new Promise((resolve) => {
    feed(sink, resolve);
    void ended.then(() => resolve("ended"));
  });
}

describe("feedFile with the digest it was planned with", () => {
  for (const stamped of [true, false]) {
    const how = stamped ? "by its stamp" : "by hashing what it reads";
    it(`sends exactly the planned size of an unchanged file and ends (checked ${how})`, async () => {
      const path = join(dir, `same-${stamped}.bin`);
      const bytes = randomBytes(3 * 4096 + 5);
      writeFileSync(path, bytes);
      const { sink, received, ended } = slowSink();
      expect(await outcome(feedFile(path, 4096, planned(path, stamped)), sink, ended)).toBe("ended");
      expect(Buffer.concat(received).equals(bytes)).toBe(true);
    });

    it(`fails without ending the sink when the file changes while it is sent (checked ${how})`, async () => {
      const path = join(dir, `changing-${stamped}.bin`);
      writeFileSync(path, randomBytes(8 * 4096));
      await aTickLater();
      const expected = planned(path, stamped);
      const { sink, received, ended } = slowSink();
      const feed = feedFile(path, 4096, expected);
      // The second half is rewritten in place, once the first pieces went out (three are handed
      // over at once; the slow sink takes them back a millisecond later each).
      const rewrite = setTimeout(() => {
        const fd = openSync(path, "r+");
        writeSync(fd, randomBytes(4 * 4096), 0, 4 * 4096, 4 * 4096);
        closeSync(fd);
      }, 0);
      const result = await outcome(feed, sink, ended);
      clearTimeout(rewrite);
      expect(result).toBeInstanceOf(Error);
      expect((result as Error).message).toMatch(stamped ? /changed since it was hashed/ : /now has sha256 [0-9a-f]{64}, not the/);
      expect(received.length).toBeGreaterThan(0); // it was caught after sending began, not before
      expect(sink.writableEnded).toBe(false);
    });
  }

  it("refuses at once a stamped file that changed after it was hashed, sending nothing", async () => {
    const path = join(dir, "edited.bin");
    writeFileSync(path, randomBytes(4096));
    const expected = planned(path, true);
    await aTickLater();
    writeFileSync(path, randomBytes(4096));
    const { sink, received, ended } = slowSink();
    const result = await outcome(feedFile(path, 1024, expected), sink, ended);
    expect((result as Error).message).toMatch(/edited\.bin changed since it was hashed/);
    expect(received).toEqual([]);
  });

  it("fails on a file shorter than planned, and sends no more than planned of a longer one", async () => {
    const path = join(dir, "short.bin");
    const bytes = randomBytes(2 * 4096);
    writeFileSync(path, bytes);
    const short = slowSink();
    const tooShort = await outcome(feedFile(path, 4096, { ...planned(path, false), size: 3 * 4096 }), short.sink, short.ended);
    expect((tooShort as Error).message).toMatch(/has 8192 bytes, not the 12288 it had when it was hashed/);
    // Only the first 4096 bytes were hashed into the plan: exactly those go, and they check out.
    const head = bytes.subarray(0, 4096);
    const long = slowSink();
    const sha256 = createHash("sha256").update(head).digest("hex");
    expect(await outcome(feedFile(path, 1024, { path, size: 4096, sha256 }), long.sink, long.ended)).toBe("ended");
    expect(Buffer.concat(long.received).equals(head)).toBe(true);
  });
});

describe("feedParts", () => {
  it("sends the parts in order into one sink and ends it once", async () => {
    const path = join(dir, "part.bin");
    const bytes = randomBytes(5000);
    writeFileSync(path, bytes);
    const { sink, received, ended } = slowSink();
    const parts = [{ file: planned(path, true) }, { bytes: Buffer.from("one\n") }, { file: planned(path, false) }, { bytes: Buffer.from("two\n") }];
    expect(await outcome(feedParts(parts, 1024), sink, ended)).toBe("ended");
    expect(Buffer.concat(received).equals(Buffer.concat([bytes, Buffer.from("one\n"), bytes, Buffer.from("two\n")]))).toBe(true);
  });

  it("sends nothing after a part that failed its check: the line that would vouch for it never goes", async () => {
    const path = join(dir, "bad-part.bin");
    writeFileSync(path, randomBytes(5000));
    const expected = { ...planned(path, false), sha256: "0".repeat(64) };
    const { sink, received, ended } = slowSink();
    const result = await outcome(feedParts([{ file: expected }, { bytes: Buffer.from("vouched\n") }], 1024), sink, ended);
    expect(result).toBeInstanceOf(Error);
    expect(Buffer.concat(received).includes("vouched")).toBe(false);
    expect(sink.writableEnded).toBe(false);
  });
});
