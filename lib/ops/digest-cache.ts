/**
 * The sha256 of large files on the control machine, remembered between runs: every run compares the
 * bundle's programs (hundreds of MB for Kubernetes) with the hosts' copies, and hashing them again
 * cost about 1.2 s per GB on a lab machine. An entry holds only while the file's size, mtime, ctime,
 * inode and device are what they were when it was hashed: a write changes mtime and ctime, and
 * putting mtime back (touch -d) changes ctime, which user programs cannot set on Linux's own file
 * systems (vfat and exFAT report the creation time instead: there, EASYKUBE_DIGEST_CACHE=off). A
 * file is remembered only when it had not changed for a while before it was hashed and did not
 * change while it was. Only uploads use it (copy, installBinary), which send a file only while it
 * keeps that stamp (input-feed.ts): trusting an unchanged stamp for unchanged bytes, as git's index
 * and rsync's quick check do. A wrong entry (a file system whose ctime lies) would send the file's
 * real bytes under the wrong digest, never silently: every plan hashes the host's copy, so that
 * file would show as changed on every run.
 *
 * Kept in $XDG_CACHE_HOME/easy-kube (or ~/.cache/easy-kube), EASYKUBE_DIGEST_CACHE names another file
 * and `off` disables it; unreadable or foreign content is ignored, and the file is replaced whole.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A file changed less than this long before it was hashed is not remembered: a write within the
 * same tick of the file system's clock would leave the stamp as it was (git's "racy" entries).
 */
export const SETTLED_MS = 2000;

/** Smaller files are hashed faster than the cache is read. */
export const CACHED_FROM_BYTES = 1024 * 1024;
const MAX_ENTRIES = 2000;

type Entries = Record<string, { stamp: string; sha256: string }>;

export function digestCacheFile(): string | undefined {
  const configured = process.env["EASYKUBE_DIGEST_CACHE"];
  if (configured === "off") return undefined;
  if (configured) return configured;
  return join(process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "easy-kube", "local-sha256.json");
}

export class DigestCache {
  private entries: Entries | undefined;

  constructor(private readonly file: string) {}

  get(path: string, stamp: string): string | undefined {
    const entry = this.load()[path];
    return entry?.stamp === stamp ? entry.sha256 : undefined;
  }

  put(path: string, stamp: string, sha256: string): void {
    // Re-read: another run may have added entries since this one loaded the file.
    this.entries = undefined;
    const entries = this.load();
    delete entries[path];
    entries[path] = { stamp, sha256 };
    const names = Object.keys(entries);
    for (const old of names.slice(0, Math.max(0, names.length - MAX_ENTRIES))) delete entries[old];
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(entries) + "\n", { mode: 0o600 });
      renameSync(temporary, this.file);
    } catch {
      // A cache that cannot be written only means hashing again next run.
    }
  }

  private load(): Entries {
    if (this.entries) return this.entries;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8"));
    } catch {
      parsed = undefined;
    }
    this.entries = {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      // Only well-formed entries: a digest read from here decides what is sent to hosts.
      for (const [path, entry] of Object.entries(parsed as Record<string, unknown>)) {
        const { stamp, sha256 } = (entry ?? {}) as { stamp?: unknown; sha256?: unknown };
        if (typeof stamp === "string" && typeof sha256 === "string" && SHA256_HEX.test(sha256)) this.entries[path] = { stamp, sha256 };
      }
    }
    return this.entries;
  }
}

