/**
 * Digests remembered between runs: served only for the very file that was hashed - an edit whose
 * mtime was put back (same size too) changes ctime and misses; unreadable cache content is ignored;
 * entries from another run survive a write; the cache file is private.
 */
import { describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DigestCache, fileStamp, statForStamp } from "../../lib/ops/digest-cache.js";

const dir = mkdtempSync(join(tmpdir(), "ek-digests-"));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("DigestCache", () => {
  it("serves a digest while the file is untouched, and not after an edit that put its mtime back", async () => {
    const file = join(dir, "program");
    const bytes = randomBytes(4096);
    writeFileSync(file, bytes);
    const seconds = 1_700_000_000; // whole seconds: put back exactly, whatever the clock's precision
    utimesSync(file, seconds, seconds);
    const cacheFile = join(dir, "cache.json");
    new DigestCache(cacheFile).put(file, fileStamp(statForStamp(file)), sha256(bytes));
    expect(new DigestCache(cacheFile).get(file, fileStamp(statForStamp(file)))).toBe(sha256(bytes));

    const before = statForStamp(file);
    await new Promise((resolve) => setTimeout(resolve, 20)); // ctime moves on a later tick of the clock
    writeFileSync(file, randomBytes(4096)); // same size, other bytes
    utimesSync(file, seconds, seconds); // and the old mtime
    const after = statForStamp(file);
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    expect(new DigestCache(cacheFile).get(file, fileStamp(statForStamp(file)))).toBeUndefined();
  });

  it("ignores a cache file it cannot read as entries", () => {
    const cacheFile = join(dir, "garbage.json");
    writeFileSync(cacheFile, "[1, 2");
    expect(new DigestCache(cacheFile).get("/x", "1:2:3:4:5")).toBeUndefined();
    writeFileSync(cacheFile, "[1, 2]");
    expect(new DigestCache(cacheFile).get("/x", "1:2:3:4:5")).toBeUndefined();
  });

  it("keeps other runs' entries when it writes its own, in a file only its owner reads", () => {
    const cacheFile = join(dir, "shared", "cache.json");
    const mine = new DigestCache(cacheFile);
    expect(mine.get("/a", "s")).toBeUndefined(); // loaded while empty
    new DigestCache(cacheFile).put("/b", "t", "bb"); // another run writes meanwhile
    mine.put("/a", "s", "aa");
    const fresh = new DigestCache(cacheFile);
    expect([fresh.get("/a", "s"), fresh.get("/b", "t")]).toEqual(["aa", "bb"]);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(cacheFile, "utf8"))).toHaveProperty("/a");
  });
});
