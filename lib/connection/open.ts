/** Opens the right connection for a host's settings. */
import { LocalConnection } from "./local.js";
import type { ConnectionSettings } from "./settings.js";
import { SshConnection } from "./ssh.js";
import type { Connection } from "./types.js";

export function openConnection(settings: ConnectionSettings): Connection {
  return settings.kind === "local" ? new LocalConnection(settings) : new SshConnection(settings);
}
