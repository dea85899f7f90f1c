/**
 * Writes made in one tick leave together (the socket is corked until the tick ends), in order, and
 * nothing waits beyond the tick: a real TCP connection on loopback.
 */
import { expect, it } from "vitest";
import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { connectTcp } from "../../lib/connection/tcp-connect.js";

it("corks a tick's writes into one batch and delivers them in order, that tick", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = once(server, "connection");
  const client = await connectTcp("127.0.0.1", (server.address() as AddressInfo).port, 5000);
  const [peer] = (await accepted) as [Socket];
  const received: Buffer[] = [];
  peer.on("data", (chunk: Buffer) => received.push(chunk));

  const pieces = Array.from({ length: 8 }, (_, i) => Buffer.alloc(32 * 1024, i));
  for (const piece of pieces) client.write(piece);
  expect(client.writableCorked).toBe(1); // held for the rest of this tick
  expect(client.writableLength).toBe(8 * 32 * 1024);
  await new Promise((resolve) => process.nextTick(resolve));
  expect(client.writableCorked).toBe(0); // and released when it ends

  while (Buffer.concat(received).length < 8 * 32 * 1024) await once(peer, "data");
  expect(Buffer.concat(received).equals(Buffer.concat(pieces))).toBe(true);
  client.destroy();
  peer.destroy();
  server.close();
});
