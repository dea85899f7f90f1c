/**
 * When a streamed command's input starts: at once where nothing but the command can read it (no
 * password to give sudo), and only after the ready marker where sudo may ask for a password, the
 * password going out only in answer to the prompt. The channel is a stand-in recording what was
 * written; streamed-upload.test.ts runs the same against a real sshd and sudo.
 */
import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import type { Client, ClientChannel } from "ssh2";
import { feedBytes } from "../../lib/connection/input-feed.js";
import { SendPacing } from "../../lib/connection/send-pacing.js";
import { runStreamed, type SudoStart } from "../../lib/connection/streamed-exec.js";

const PROMPT = "[sudo-prompt]";

/** A channel that records writes, and a client whose exec hands it out with the command it ran. */
function fakeClient(): { client: Client; channel: EventEmitter & { writes: string[]; stderr: EventEmitter }; command: () => string } {
  const channel = Object.assign(new EventEmitter(), {
    writes: [] as string[],
    stderr: new EventEmitter(),
    write(chunk: Buffer | string, callback?: () => void) {
      channel.writes.push(chunk.toString());
      callback?.();
      return true;
    },
    end() {
      channel.writes.push("<end>");
    },
    close() {
      channel.emit("close");
    },
  });
  let command = "";
  const client = {
    exec(cmd: string, callback: (error: Error | undefined, channel: ClientChannel) => void) {
      command = cmd;
      queueMicrotask(() => callback(undefined, channel as unknown as ClientChannel));
    },
  } as unknown as Client;
  return { client, channel, command: () => command };
}

function start(client: Client, sudo?: SudoStart): Promise<{ stdout: string; code: number }> {
  return runStreamed(client, {
    command: "cat > /tmp/x",
    input: feedBytes(Buffer.from("the file"), 4),
    sudo,
    pacing: new SendPacing(),
    cannotOpen: (error) => error,
    lost: () => new Error("lost"),
  });
}

const readyMarker = (command: string) => /echo (ready-[0-9a-f]+)/.exec(command)![1]!;

describe("runStreamed", () => {
  it("sends the input at once when sudo cannot ask for a password (-n)", async () => {
    const { client, channel, command } = fakeClient();
    const result = start(client, { argv: ["sudo", "-n", "-u", "root"], prompt: PROMPT });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(channel.writes.join("")).toBe("the file<end>"); // before the command said it is ready
    channel.emit("data", Buffer.from(`${readyMarker(command())}\nout`));
    channel.emit("exit", 0);
    channel.emit("close");
    expect(await result).toMatchObject({ stdout: "out", code: 0 });
  });

  it("sends the input at once without sudo", async () => {
    const { client, channel, command } = fakeClient();
    const result = start(client);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(command()).not.toMatch(/sudo/);
    expect(channel.writes.join("")).toBe("the file<end>");
    channel.emit("data", Buffer.from(`${readyMarker(command())}\n`));
    channel.emit("exit", 0);
    channel.emit("close");
    expect((await result).code).toBe(0);
  });

  it("with a password: nothing before the prompt, the password on it, the input only after the marker", async () => {
    const { client, channel, command } = fakeClient();
    const result = start(client, { argv: ["sudo", "-S", "-p", PROMPT, "-u", "root"], password: "secret", prompt: PROMPT });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(channel.writes).toEqual([]);
    channel.stderr.emit("data", Buffer.from(PROMPT));
    expect(channel.writes).toEqual(["secret\n"]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(channel.writes).toEqual(["secret\n"]);
    channel.emit("data", Buffer.from(`${readyMarker(command())}\n`));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(channel.writes.join("")).toBe("secret\nthe file<end>");
    channel.emit("exit", 0);
    channel.emit("close");
    expect((await result).code).toBe(0);
  });

  it("reports what sudo said when it refused, whatever was sent", async () => {
    const { client, channel } = fakeClient();
    const result = start(client, { argv: ["sudo", "-n", "-u", "root"], prompt: PROMPT });
    await new Promise((resolve) => setTimeout(resolve, 0));
    channel.stderr.emit("data", Buffer.from("sudo: a password is required\n"));
    channel.emit("exit", 1);
    channel.emit("close");
    expect(await result).toMatchObject({ code: 1, stderr: "sudo: a password is required\n" });
  });
});
