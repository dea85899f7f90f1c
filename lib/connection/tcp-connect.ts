/**
 * A TCP connection with a connect timeout and Nagle off (small request/response exchanges, SSH
 * and the Kubernetes API, would otherwise wait for delayed ACKs); what is written in one tick leaves
 * in one system call (batched-writes.ts).
 */
import { connect, type Socket } from "node:net";
import { batchWrites } from "./batched-writes.js";

export function connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(batchWrites(socket));
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
