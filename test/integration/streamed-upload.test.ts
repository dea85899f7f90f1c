/**
 * Large inputs and files from the control machine against the real sshd: streamed on a channel of
 * their own (one round trip, whatever the size), read from disk in pieces (the controller's memory
 * does not grow with the file), leaving nothing behind in the long-lived shells (their umask) or
 * on the host (temporary files of a transfer that was cut, ran out of disk or got fewer bytes than
 * announced), and never replacing the target with a partial file or with bytes the control machine
 * did not vouch for. A host's files go in one command.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalConnection } from "../../lib/connection/local.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import { IN_FLIGHT_BYTES } from "../../lib/connection/send-pacing.js";
import type { Connection, SentFile } from "../../lib/connection/types.js";
import * as ops from "../../lib/ops/index.js";
import { writeRemoteFile, type WriteOptions } from "../../lib/ops/remote-file.js";
import { uploadScript } from "../../lib/ops/remote-file-script.js";
import { fileStamp, statForStamp } from "../../lib/util/file-stamp.js";
import { SUDO_PASSWORD, SUDO_PASSWORD_USER, SUDO_USER } from "../helpers/sshd.js";
import { sshdSettings } from "../helpers/ssh-settings.js";
import { liveTarget } from "../helpers/converge.js";

const sshd = inject("sshd");
const open: Connection[] = [];
let dir: string;

function connect(user = SUDO_USER, vars: Record<string, unknown> = { ansible_become: true }): SshConnection {
  const connection = new SshConnection(sshdSettings(sshd, user, vars));
  open.push(connection);
  return connection;
}

/**
 * A file of `size` random bytes: no two files or pieces alike, so a piece lost, repeated or
 * overwritten on the way changes the sha256.
 */
function makeFile(name: string, size: number): string {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  for (let written = 0; written < size; written += 1024 * 1024) writeSync(fd, randomBytes(Math.min(1024 * 1024, size - written)));
  closeSync(fd);
  return path;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** A file to send, and what it is planned as (no stamp: its bytes are hashed as they are sent). */
function plannedFile(name: string, size: number): { src: string; source: SentFile } {
  const src = makeFile(name, size);
  return { src, source: { path: src, size, sha256: sha256(src) } };
}
const leftovers = (folder: string) => readdirSync(folder).filter((name) => name.startsWith(".easy-kube"));
/** Temporary input files the shells used to leave in /tmp (before streaming), made after `since`. */
const tmpInputsSince = (since: number) => readdirSync("/tmp").filter((n) => n.startsWith(".easy-kube-input-") && statSync(join("/tmp", n)).mtimeMs >= since);

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ek-upload-"));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("large inputs", () => {
  it("leave the shells' umask as it was (folders made after an upload are not 0700)", async () => {
    const ssh = connect();
    // Both shells of the become mode: the upload may have gone through either.
    const umasks = async () => (await Promise.all([ssh.run("sleep 0.2; umask"), ssh.run("sleep 0.2; umask")])).map((r) => r.stdout.trim());
    const before = await umasks();
    expect((await ssh.run("wc -c", { stdin: Buffer.alloc(600 * 1024, 7) })).stdout.trim()).toBe(String(600 * 1024));
    await writeRemoteFile(ssh, join(dir, "large.bin"), Buffer.alloc(300 * 1024, 9));
    expect(await umasks()).toEqual(before);
    const folder = join(dir, "made-after-upload", "sub");
    await Promise.all([ssh.run(`mkdir -p ${folder}`), ssh.run(`mkdir -p ${folder}2`)]);
    expect(statSync(folder).mode & 0o777).toBe(0o777 & ~Number.parseInt(before[0]!, 8));
    expect(statSync(`${folder}2`).mode & 0o777).toBe(0o777 & ~Number.parseInt(before[0]!, 8));
  });

  it("take one round trip whatever their size (not one per 128 KiB)", async () => {
    const ssh = connect();
    await ssh.run("true");
    const bytes = Buffer.alloc(4 * 1024 * 1024, 3);
    const before = ssh.commandCount;
    expect((await ssh.run("wc -c", { stdin: bytes })).stdout.trim()).toBe(String(bytes.length));
    expect(ssh.commandCount - before).toBe(1);
    const counts: number[] = [];
    for (const size of [1, 8]) {
      const file = makeFile(`rt-${size}.bin`, size * 1024 * 1024);
      const before = ssh.commandCount;
      await writeRemoteFile(ssh, join(dir, `rt-${size}.copy`), { path: file, size: statSync(file).size, sha256: sha256(file) });
      counts.push(ssh.commandCount - before);
      expect(sha256(join(dir, `rt-${size}.copy`))).toBe(sha256(file));
    }
    expect(counts).toEqual([1, 1]);
  });

  it("are read from disk in pieces: sending 200 MB grows the controller's memory far less", async () => {
    const src = makeFile("big.bin", 200 * 1024 * 1024);
    const dest = join(dir, "big.copy");
    const ssh = connect();
    await ssh.run("true");
    const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]);
    const peakKb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]);
    // Reset the kernel's peak-RSS mark to now, so the peak measured is this upload's.
    writeFileSync("/proc/self/clear_refs", "5");
    const before = rssKb();
    const plan = await ops.copy({ src, dest, mode: "0644" }).plan(liveTarget(ssh));
    await plan.apply!();
    const growthMb = (peakKb() - before) / 1024;
    expect(statSync(dest).size).toBe(200 * 1024 * 1024);
    expect(growthMb).toBeLessThan(48);
    rmSync(dest);
  });

  it("run only a few hundred KB ahead of what sshd has taken in, not its whole 2 MB window", async () => {
    const src = makeFile("paced.bin", 16 * 1024 * 1024);
    const ssh = connect();
    await ssh.run("true");
    await writeRemoteFile(ssh, join(dir, "paced.copy"), { path: src, size: statSync(src).size, sha256: sha256(src) });
    expect((await ssh.run("wc -c", { stdin: Buffer.alloc(4 * 1024 * 1024, 5) })).stdout.trim()).toBe(String(4 * 1024 * 1024));
    expect(sha256(join(dir, "paced.copy"))).toBe(sha256(src));
    // Watched at all (ssh2 keeps the window where send-pacing.ts looks: unwatched, nothing would be
    // counted), and sshd granted window back as it took bytes in, so the limit never had to grow.
    expect(ssh.pacing.mostInFlight).toBeGreaterThan(0);
    expect(ssh.pacing.mostInFlight).toBeLessThanOrEqual(IN_FLIGHT_BYTES);
    expect(ssh.pacing.limit).toBe(IN_FLIGHT_BYTES);
  });
});

describe("a transfer that does not complete", () => {
  it("leaves the target untouched and no temporary file when the connection is cut mid-way", async () => {
    const src = makeFile("cut.bin", 24 * 1024 * 1024);
    const target = join(dir, "cut-target");
    mkdirSync(target);
    const dest = join(target, "program");
    writeFileSync(dest, "old version\n");
    const started = Date.now() - 1000;
    const proxy = await cuttingProxy(sshd.port, 6 * 1024 * 1024);
    const knownHosts = join(dir, "known_hosts.proxy");
    writeFileSync(knownHosts, `[127.0.0.1]:${proxy.port} ${sshd.hostPublicKey}\n`);
    const ssh = new SshConnection({ ...sshdSettings(sshd, SUDO_USER, { ansible_become: true }), port: proxy.port, knownHostsFile: knownHosts });
    open.push(ssh);
    try {
      const plan = await ops.copy({ src, dest, mode: "0755" }).plan(liveTarget(ssh));
      await expect(plan.apply!()).rejects.toMatchObject({ name: "UnreachableError" });
      expect(proxy.cut()).toBe(true);
      await eventually(() => leftovers(target).length === 0 && tmpInputsSince(started).length === 0);
      expect(readFileSync(dest, "utf8")).toBe("old version\n");
    } finally {
      proxy.server.close();
    }
  });

  it("leaves the target untouched and no temporary file when the disk is full", async () => {
    const small = join(dir, "small-disk");
    mkdirSync(small);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]);
    try {
      const dest = join(small, "program");
      writeFileSync(dest, "old version\n");
      const src = makeFile("too-big.bin", 3 * 1024 * 1024);
      const plan = await ops.copy({ src, dest }).plan(liveTarget(connect()));
      await expect(plan.apply!()).rejects.toThrow(/No space left on device/);
      expect(leftovers(small)).toEqual([]);
      expect(readFileSync(dest, "utf8")).toBe("old version\n");
    } finally {
      execFileSync("umount", [small]);
    }
  });

  it("run a few at a time per host, the rest waiting for a turn", async () => {
    const ssh = connect();
    const log = join(dir, "streams.log");
    writeFileSync(log, "");
    const src = makeFile("turns.bin", 512 * 1024);
    // Each command notes its start, holds its channel a moment, then takes its input and notes its end.
    const command = `echo start >> ${log}; sleep 0.3; cat > /dev/null; echo end >> ${log}`;
    await Promise.all(Array.from({ length: 7 }, () => ssh.run(command, { stdinFile: src })));
    let running = 0;
    let most = 0;
    for (const line of readFileSync(log, "utf8").split("\n").filter(Boolean)) {
      running += line === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(running).toBe(0);
    expect(most).toBe(3);
  });

  it("is refused before the rename when the source is shorter than planned, differs, or changed since it was hashed", async () => {
    const ssh = connect();
    const src = makeFile("short.bin", 2 * 1024 * 1024);
    const dest = join(dir, "short-target");
    writeFileSync(dest, "old version\n");
    const { size } = statSync(src);
    await expect(writeRemoteFile(ssh, dest, { path: src, size: size + 4096, sha256: sha256(src) })).rejects.toThrow(new RegExp(`short\\.bin has ${size} bytes, not the ${size + 4096} it had when it was hashed`));
    const other = makeFile("other.bin", size);
    await expect(writeRemoteFile(ssh, dest, { path: other, size, sha256: sha256(src) })).rejects.toThrow(/other\.bin now has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} it was planned with/);
    // Planned with its stamp (as a settled bundle file is), then rewritten a tick later, same size.
    const planned = { path: src, size, sha256: sha256(src), stamp: fileStamp(statForStamp(src)) };
    await new Promise((resolve) => setTimeout(resolve, 50));
    makeFile("short.bin", size);
    await expect(writeRemoteFile(ssh, dest, planned)).rejects.toThrow(/short\.bin changed since it was hashed/);
    expect(readFileSync(dest, "utf8")).toBe("old version\n");
    expect(leftovers(dir)).toEqual([]);
  });

  it("is refused by the host when the line vouching for the bytes is wrong or missing", async () => {
    const ssh = connect();
    const dest = join(dir, "vouched-target");
    writeFileSync(dest, "old version\n");
    const script = uploadScript([{ dest, options: {}, received: { size: 5, confirmation: "ok-test-0" } }]);
    for (const input of ["hello", "hel", "hellook-test-1\n", "helloXok-test-0\n"]) {
      const result = await ssh.run(script, { stdinParts: [{ bytes: Buffer.from(input) }] });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/the control machine did not vouch for the bytes received/);
      expect(readFileSync(dest, "utf8")).toBe("old version\n");
      expect(leftovers(dir)).toEqual([]);
    }
    expect((await ssh.run(script, { stdinParts: [{ bytes: Buffer.from("hellook-test-0\n") }] })).code).toBe(0);
    expect(readFileSync(dest, "utf8")).toBe("hello");
  });
});

describe("several files to one host", () => {
  it("go in one command, through one sudo, each in place with its mode", async () => {
    const ssh = connect();
    const folder = join(dir, "component");
    mkdirSync(folder);
    const files = [1, 2, 3, 4].map((n) => makeFile(`program-${n}.bin`, n * 700 * 1024));
    const large = Buffer.alloc(300 * 1024, 7); // bytes over INLINE_STDIN go with the files
    const copies = [
      ...files.map((src, index) => ops.copy({ src, dest: join(folder, `program-${index}`), mode: index % 2 ? "0700" : "0755" })),
      ops.copy({ content: large, dest: join(folder, "data") }),
    ];
    const plan = await ops.concurrently("install the component", copies).plan(liveTarget(ssh));
    const before = ssh.commandCount;
    await plan.apply!();
    expect(ssh.commandCount - before).toBe(1);
    files.forEach((src, index) => {
      expect(sha256(join(folder, `program-${index}`))).toBe(sha256(src));
      expect(statSync(join(folder, `program-${index}`)).mode & 0o777).toBe(index % 2 ? 0o700 : 0o755);
      expect(statSync(join(folder, `program-${index}`)).uid).toBe(0);
    });
    expect(readFileSync(join(folder, "data")).equals(large)).toBe(true);
    expect(statSync(join(folder, "data")).mode & 0o777).toBe(0o644);
    expect(leftovers(folder)).toEqual([]);
    expect((await ops.concurrently("again", copies).plan(liveTarget(ssh))).changes).toEqual([]);
  });

  it("are installed only once all arrived and checked out: one failure installs none, leaves nothing behind", async () => {
    const ssh = connect();
    const folder = join(dir, "partial");
    mkdirSync(folder);
    const { source } = plannedFile("part.bin", 1024 * 1024);
    const failures = async (uploads: [string, WriteOptions?][]) => {
      const results = await Promise.allSettled(uploads.map(([dest, options]) => writeRemoteFile(ssh, dest, source, options)));
      return new Set(results.map((result) => (result.status === "rejected" ? (result.reason as Error) : undefined)));
    };
    // A folder that is missing stops the script before it reads a byte.
    const dests = [join(folder, "first"), join(folder, "missing-folder", "second"), join(folder, "third")];
    const missing = await failures(dests.map((dest) => [dest]));
    expect(missing.size).toBe(1); // one script, one error, for each of its files
    const [error] = [...missing];
    expect(error?.message).toContain(`write ${dests.join(", ")}`);
    expect(error?.message).toContain(`folder ${folder}/missing-folder does not exist`);
    // A validation that fails (silently) after every file arrived: the script says which one.
    const refused = await failures([[join(folder, "first")], [join(folder, "checked"), { validate: "grep -q never-there %s" }]]);
    expect([...refused][0]?.message).toMatch(/command failed with exit code 1: write .*first, .*checked/);
    expect([...refused][0]?.message).toContain(`${join(folder, "checked")}: the validation command failed: nothing was installed`);
    for (const name of ["first", "checked", "third"]) expect(existsSync(join(folder, name))).toBe(false);
    expect(readdirSync(folder)).toEqual([]); // no temporary folder either
  });

  it("fail alone where a path names no file; a validation sees the new file whatever its name", async () => {
    const ssh = connect();
    const folder = join(dir, "named");
    mkdirSync(folder);
    const { src, source } = plannedFile("named.bin", 512 * 1024);
    const spaced = join(folder, "with space");
    const [noFile, written] = await Promise.allSettled([writeRemoteFile(ssh, `${folder}/`, source), writeRemoteFile(ssh, spaced, source, { validate: 'test -s "%s" && test -r %s' })]);
    expect((noFile as PromiseRejectedResult).reason.message).toMatch(/does not name a file/);
    expect(written.status).toBe("fulfilled");
    expect(sha256(spaced)).toBe(sha256(src));
  });
});

describe("through sudo", () => {
  it("answers a password prompt only when sudo asks, never into the file", async () => {
    const src = makeFile("sudo.bin", 1024 * 1024 + 17);
    for (const [user, vars] of [
      [SUDO_PASSWORD_USER, { ansible_become: true, ansible_become_password: SUDO_PASSWORD }],
      [SUDO_USER, { ansible_become: true, ansible_become_password: "unneeded-pw-123" }],
    ] as const) {
      const ssh = connect(user, vars);
      const dest = join(dir, `sudo-${user}.copy`);
      const plan = await ops.copy({ src, dest, mode: "0600" }).plan(liveTarget(ssh));
      await plan.apply!();
      expect(sha256(dest)).toBe(sha256(src));
      expect(statSync(dest).uid).toBe(0);
      expect((await ops.copy({ src, dest, mode: "0600" }).plan(liveTarget(ssh))).changes).toEqual([]);
    }
  });

  it("fails clearly with a wrong sudo password, sending nothing", async () => {
    const ssh = connect(SUDO_PASSWORD_USER, { ansible_become: true, ansible_become_password: "wrong" });
    const result = await ssh.run("cat > /dev/null; id -un", { stdinFile: makeFile("refused.bin", 1024 * 1024) });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Sorry, try again|incorrect password/);
  });
});

it("the control machine's own connection streams a file to a command too, and writes checked files", async () => {
  const local = LocalConnection.controlMachine();
  const src = makeFile("local.bin", 3 * 1024 * 1024 + 5);
  const result = await local.run("sha256sum", { stdinFile: src });
  expect(result.stdout.split(" ")[0]).toBe(sha256(src));
  const dest = join(dir, "local-target");
  await writeRemoteFile(local, dest, { path: src, size: statSync(src).size, sha256: sha256(src) });
  expect(sha256(dest)).toBe(sha256(src));
  const other = makeFile("local-other.bin", statSync(src).size);
  await expect(writeRemoteFile(local, dest, { path: other, size: statSync(src).size, sha256: "0".repeat(64) })).rejects.toThrow(/local-other\.bin now has sha256/);
  expect(sha256(dest)).toBe(sha256(src));
  expect(leftovers(dir)).toEqual([]);
});

/**
 * A TCP relay to sshd that cuts both sides once `limit` bytes went from the client to the server:
 * a connection lost in the middle of a transfer.
 */
async function cuttingProxy(targetPort: number, limit: number): Promise<{ server: Server; port: number; cut: () => boolean }> {
  let cut = false;
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = tcpConnect({ host: "127.0.0.1", port: targetPort });
    sockets.push(client, upstream);
    let sent = 0;
    client.on("data", (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > limit) {
        cut = true;
        sockets.forEach((s) => s.destroy());
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    for (const s of [client, upstream]) s.on("error", () => sockets.forEach((o) => o.destroy()));
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0, cut: () => cut };
}
