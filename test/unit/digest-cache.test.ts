/**
 * Digests remembered between runs: served only for the very file that was hashed - an edit whose
 * mtime was put back (same size too) changes ctime and misses; unreadable or malformed cache content
 * is ignored; entries from another run survive a write; the cache file is private; only files of
 * 1 MB and more that had settled are remembered, and only uploads take a remembered digest.
 */
import { describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DigestCache, SETTLED_MS } from "../../lib/ops/digest-cache.js";
import { fileStamp, statForStamp } from "../../lib/util/file-stamp.js";
import { localDigest, localSha256 } from "../../lib/ops/local-file.js";

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
    new DigestCache(cacheFile).put("/b", "t", "b".repeat(64)); // another run writes meanwhile
    mine.put("/a", "s", "a".repeat(64));
    const fresh = new DigestCache(cacheFile);
    expect([fresh.get("/a", "s"), fresh.get("/b", "t")]).toEqual(["a".repeat(64), "b".repeat(64)]);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(cacheFile, "utf8"))).toHaveProperty("/a");
  });
});

describe("localDigest with the cache", () => {
  const cacheFile = join(dir, "local.json");
  process.env["EASYKUBE_DIGEST_CACHE"] = cacheFile; // read at the first remembered digest of this file's module
  const entries = () => JSON.parse(readFileSync(cacheFile, "utf8")) as Record<string, { stamp: string; sha256: string }>;

  it("takes a remembered digest only for uploads, and only a well-formed one", () => {
    const file = join(dir, "forged.bin");
    writeFileSync(file, randomBytes(2 * 1024 * 1024));
    const stamp = fileStamp(statForStamp(file));
    const forged = "0".repeat(64);
    // Written before this module's first remembered digest, which loads the file once per run.
    writeFileSync(cacheFile, JSON.stringify({ [file]: { stamp, sha256: forged } }));
    expect(localDigest(file, { remembered: true }).sha256).toBe(forged); // the cache is consulted...
    expect(localSha256(file)).toBe(sha256(readFileSync(file))); // ...but not for decisions made here alone
    const other = join(dir, "injected.bin");
    writeFileSync(other, randomBytes(2 * 1024 * 1024));
    writeFileSync(cacheFile, JSON.stringify({ [other]: { stamp: fileStamp(statForStamp(other)), sha256: "$(reboot)" } }));
    expect(new DigestCache(cacheFile).get(other, fileStamp(statForStamp(other)))).toBeUndefined();
  });

  it("remembers files of 1 MB and more that had settled, not small or just-written ones", async () => {
    const big = join(dir, "big.bin");
    const small = join(dir, "small.bin");
    writeFileSync(big, randomBytes(2 * 1024 * 1024));
    writeFileSync(small, randomBytes(10 * 1024));
    await new Promise((resolve) => setTimeout(resolve, SETTLED_MS + 200));
    const fresh = join(dir, "fresh.bin");
    writeFileSync(fresh, randomBytes(2 * 1024 * 1024));
    const digests = [big, small, fresh].map((file) => localDigest(file, { remembered: true }));
    expect(Object.keys(entries())).toEqual([big]);
    expect(entries()[big]!.sha256).toBe(sha256(readFileSync(big)));
    // An upload trusts a file's stamp for its bytes only where it had settled; the fresh file's
    // bytes are hashed again as they are sent (input-feed.ts).
    expect(digests.map((digest) => digest.stamp)).toEqual([fileStamp(statForStamp(big)), fileStamp(statForStamp(small)), undefined]);
    expect(localDigest(big, { remembered: true }).stamp).toBe(fileStamp(statForStamp(big))); // remembered, in this run and the next
  });
});
