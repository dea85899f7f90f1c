/**
 * The hosts' sha256 function in a real POSIX shell (dash): openssl where it hashes, sha256sum where
 * openssl is missing or broken (a missing libssl, a bad OPENSSL_CONF), the same digest first either
 * way; an unreadable file fails instead of hashing nothing.
 */
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SHA256_FUNCTION } from "../../lib/facts/remote-sha256.js";

const dir = mkdtempSync(join(tmpdir(), "ek-sha256-"));
const file = join(dir, "data");
writeFileSync(file, "some bytes\n".repeat(1000));
const expected = createHash("sha256").update("some bytes\n".repeat(1000)).digest("hex");

const realOpenssl = execFileSync("sh", ["-c", "command -v openssl"], { encoding: "utf8" }).trim();

/**
 * A PATH holding sha256sum (linked from the machine's) and, if given, an `openssl` script; every
 * call of that script is logged, so a test can tell which tool hashed.
 */
function pathWith(openssl?: string): { path: string; opensslCalls: () => number } {
  const bin = mkdtempSync(join(dir, "bin-"));
  symlinkSync(execFileSync("sh", ["-c", "command -v sha256sum"], { encoding: "utf8" }).trim(), join(bin, "sha256sum"));
  const log = join(bin, "openssl.log");
  writeFileSync(log, "");
  if (openssl) {
    writeFileSync(join(bin, "openssl"), `#!/bin/sh\necho call >> ${log}\n${openssl}`);
    chmodSync(join(bin, "openssl"), 0o755);
  }
  return { path: bin, opensslCalls: () => readFileSync(log, "utf8").split("\n").filter(Boolean).length };
}

function hash(path: string, target: string): { code: number | null; digest: string } {
  const script = `${SHA256_FUNCTION}\nh=$(ek_sha256 < "$1") || exit 7\necho "\${h%% *}"`;
  const run = spawnSync("/bin/dash", ["-c", script, "sh", target], { env: { PATH: path }, encoding: "utf8" });
  return { code: run.status, digest: run.stdout.trim() };
}

describe("ek_sha256 on a host", () => {
  it("uses openssl where it hashes", () => {
    const host = pathWith(`exec ${realOpenssl} "$@"`);
    expect(hash(host.path, file)).toEqual({ code: 0, digest: expected });
    expect(host.opensslCalls()).toBe(2); // the probe, then the hash
  });

  it("falls back to sha256sum without openssl, or with one that fails", () => {
    expect(hash(pathWith().path, file)).toEqual({ code: 0, digest: expected });
    const broken = pathWith("echo 'libssl.so.3: cannot open shared object file' >&2; exit 127");
    expect(hash(broken.path, file)).toEqual({ code: 0, digest: expected });
    expect(broken.opensslCalls()).toBe(1); // the probe only
  });

  it("fails on a file it cannot read instead of hashing nothing", () => {
    expect(hash(pathWith(`exec ${realOpenssl} "$@"`).path, join(dir, "missing")).code).toBe(7);
    expect(hash(pathWith().path, join(dir, "missing")).code).toBe(7);
  });
});
