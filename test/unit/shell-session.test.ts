/**
 * The long-lived shell's framing, with the channel's bytes arriving in the worst order: one byte
 * at a time, markers split across reads, noise from the login shell before it is ready, and sudo's
 * prompt answered only when it appears.
 */
import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import type { ClientChannel } from "ssh2";
import { ShellSession, shellStart } from "../../lib/connection/shell-session.js";

/** A channel whose far side is this test: it records what was written and plays back replies. */
function scriptedChannel() {
  const channel = new EventEmitter() as EventEmitter & { stderr: EventEmitter; written: string[]; write(d: string): boolean; end(): void; close(): void };
  channel.stderr = new EventEmitter();
  channel.written = [];
  channel.write = (data: string) => (channel.written.push(String(data)), true);
  channel.end = () => undefined;
  channel.close = () => channel.emit("close");
  const dribble = (emitter: EventEmitter, text: string) => {
    for (const byte of Buffer.from(text)) emitter.emit("data", Buffer.from([byte]));
  };
  return { channel, out: (t: string) => dribble(channel, t), err: (t: string) => dribble(channel.stderr, t) };
}

const nonceOf = (script: string) => /printf '\\n([0-9a-f]{32}) %d\\n'/.exec(script)![1]!;

describe("ShellSession framing", () => {
  it("splits outputs and exit codes correctly when every byte arrives alone", async () => {
    const { channel, out, err } = scriptedChannel();
    const start = shellStart(undefined, "abc");
    const session = new ShellSession(channel as unknown as ClientChannel, start, undefined, () => new Error("closed"));
    const first = session.run("echo one", undefined, undefined);
    out("Welcome from .bashrc\n" + `${start.ready}\n`);
    await new Promise((r) => setImmediate(r));
    const nonce = nonceOf(channel.written[0]!);
    out(`one\n\n${nonce} 0\n`);
    err(`a warning\n\n${nonce}\n`);
    expect(await first).toMatchObject({ stdout: "one\n", stderr: "a warning\n", code: 0 });

    const second = session.run("printf x; exit 3", undefined, undefined);
    await new Promise((r) => setImmediate(r));
    out(`x\n${nonce} 3\n`);
    err(`\n${nonce}\n`);
    expect(await second).toMatchObject({ stdout: "x", stderr: "", code: 3 });
  });

  it("writes the sudo password only after the prompt, and fails at once on a second prompt", async () => {
    const { channel, out, err } = scriptedChannel();
    const start = shellStart({ argv: ["sudo", "-S", "-p", "'[pw]'"] }, "n1");
    const session = new ShellSession(channel as unknown as ClientChannel, start, { password: "s3cret", prompt: "[pw]" }, () => new Error("closed"));
    const result = session.run("id -un", undefined, undefined);
    expect(channel.written).toEqual([]);
    err("[pw]");
    expect(channel.written).toEqual(["s3cret\n"]);
    out(`${start.ready}\n`);
    await new Promise((r) => setImmediate(r));
    const nonce = nonceOf(channel.written[1]!);
    out(`root\n\n${nonce} 0\n`);
    err(`\n${nonce}\n`);
    expect(await result).toMatchObject({ stdout: "root\n", code: 0 });

    const refused = scriptedChannel();
    const again = new ShellSession(refused.channel as unknown as ClientChannel, start, { password: "wrong", prompt: "[pw]" }, () => new Error("closed"));
    const failing = again.run("true", undefined, undefined);
    refused.err("[pw]");
    refused.err("Sorry, try again.\n[pw]");
    refused.channel.emit("exit", 1);
    expect(refused.channel.written).toEqual(["wrong\n"]);
    expect(await failing).toMatchObject({ code: 1, stderr: expect.stringContaining("Sorry, try again.") });
  });

  it("never sends the password when sudo does not ask for it", async () => {
    const { channel, out } = scriptedChannel();
    const start = shellStart({ argv: ["sudo", "-S"] }, "n2");
    const session = new ShellSession(channel as unknown as ClientChannel, start, { password: "unneeded", prompt: "[pw]" }, () => new Error("closed"));
    void session.run("true", undefined, undefined);
    out(`${start.ready}\n`);
    await new Promise((r) => setImmediate(r));
    expect(channel.written.join("")).not.toContain("unneeded");
  });
});
