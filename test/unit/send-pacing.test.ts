/**
 * A channel's pacing: pieces go while little is in flight, wait for the host's window grants, and a
 * host that grants nothing until more arrived is not waited on forever (the connection's limit
 * grows instead), while a slow sudo or a slow host that granted before is simply waited for. The
 * channel here is a stand-in that moves its window as ssh2's channel does; streamed-upload.test.ts
 * proves the same against ssh2 and a real sshd.
 */
import { describe, expect, it } from "vitest";
import type { ClientChannel } from "ssh2";
import { IN_FLIGHT_BYTES, paceChannel, SendPacing, UNPACED } from "../../lib/connection/send-pacing.js";

const KB = 1024;

/** ssh2's side of a channel's window: a write takes window, the host's adjustment adds to it. */
function fakeChannel(window = 2048 * KB): { channel: ClientChannel; write(bytes: number): void; grant(bytes: number): void } {
  const outgoing = { window };
  const channel = { outgoing } as unknown as ClientChannel;
  return {
    channel,
    write: (bytes) => void (outgoing.window -= bytes),
    grant: (bytes) => void (outgoing.window += bytes),
  };
}

/** Whether the pace wakes a feed waiting for room for `bytes` within `ms`. */
function wokenWithin(pace: ReturnType<typeof paceChannel>, bytes: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    pace.whenRoomFor(bytes, () => resolve(true));
    setTimeout(() => resolve(false), ms);
  });
}

describe("paceChannel", () => {
  it("lets IN_FLIGHT_BYTES go, then waits until the host grants window back", async () => {
    const { channel, write, grant } = fakeChannel();
    const pace = paceChannel(channel, new SendPacing());
    const piece = 128 * KB;
    let sent = 0;
    while (pace.hasRoomFor(piece)) {
      write(piece);
      pace.sent(piece);
      sent += piece;
    }
    expect(sent).toBe(IN_FLIGHT_BYTES);
    let woken = false;
    pace.whenRoomFor(piece, () => (woken = true));
    grant(piece);
    await Promise.resolve();
    expect(woken).toBe(true);
    expect(pace.hasRoomFor(piece)).toBe(true);
    expect(pace.hasRoomFor(2 * piece)).toBe(false);
    pace.stop();
  });

  it("always lets a piece go when nothing is in flight, even one larger than the limit", () => {
    const pace = paceChannel(fakeChannel().channel, new SendPacing());
    expect(pace.hasRoomFor(4 * IN_FLIGHT_BYTES)).toBe(true);
  });

  it("keeps ssh2's view of the window: its writes and the host's grants still add up", () => {
    const { channel, write, grant } = fakeChannel(1000);
    paceChannel(channel, new SendPacing());
    write(300);
    grant(50);
    expect((channel as unknown as { outgoing: { window: number } }).outgoing.window).toBe(750);
  });

  it("raises the connection's limit when the host granted nothing since the command started, for later channels too", async () => {
    const pacing = new SendPacing();
    const pace = paceChannel(fakeChannel().channel, pacing, 20);
    const piece = 256 * KB;
    pace.sent(piece);
    expect(pace.hasRoomFor(piece)).toBe(false);
    pace.commandStarted();
    expect(await wokenWithin(pace, piece, 1000)).toBe(true);
    expect(pace.hasRoomFor(piece)).toBe(true);
    expect(pacing.limit).toBe(2 * piece);
    const later = paceChannel(fakeChannel().channel, pacing, 20);
    later.sent(piece);
    expect(later.hasRoomFor(piece)).toBe(true);
  });

  it("does not count a wait before the command started as a stall (a slow sudo)", async () => {
    const pacing = new SendPacing();
    const pace = paceChannel(fakeChannel().channel, pacing, 20);
    pace.sent(IN_FLIGHT_BYTES);
    expect(await wokenWithin(pace, 128 * KB, 100)).toBe(false);
    expect(pacing.limit).toBe(IN_FLIGHT_BYTES);
    pace.stop();
  });

  it("keeps the limit for a host that granted before and is only slow now", async () => {
    const pacing = new SendPacing();
    const { channel, grant } = fakeChannel();
    const pace = paceChannel(channel, pacing, 20);
    pace.commandStarted();
    pace.sent(IN_FLIGHT_BYTES + 64 * KB);
    grant(64 * KB);
    expect(await wokenWithin(pace, 128 * KB, 100)).toBe(false);
    expect(pacing.limit).toBe(IN_FLIGHT_BYTES);
    pace.stop();
  });

  it("wakes nothing once stopped", async () => {
    const pacing = new SendPacing();
    const { channel, grant } = fakeChannel();
    const pace = paceChannel(channel, pacing, 20);
    pace.commandStarted();
    pace.sent(IN_FLIGHT_BYTES);
    const woken = wokenWithin(pace, 128 * KB, 100);
    pace.stop();
    grant(IN_FLIGHT_BYTES);
    expect(await woken).toBe(false);
    expect(pacing.limit).toBe(IN_FLIGHT_BYTES);
  });

  it("paces nothing on a channel whose window it cannot see", () => {
    expect(paceChannel({} as ClientChannel, new SendPacing())).toBe(UNPACED);
  });
});
