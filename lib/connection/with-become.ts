/** A view of a connection whose commands use (or skip) become by default, for a task's `become:`. */
import type { Connection, RunOptions } from "./types.js";

export function withBecome(connection: Connection, become: boolean | undefined): Connection {
  if (become === undefined) return connection;
  return {
    host: connection.host,
    get commandCount() {
      return connection.commandCount;
    },
    run: (command: string, options: RunOptions = {}) => connection.run(command, { become, ...options }),
    close: () => connection.close(),
    ...(connection.forwardTcp && { forwardTcp: connection.forwardTcp.bind(connection) }),
  };
}
