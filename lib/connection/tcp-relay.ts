/**
 * A TCP stream to a port as the host sees it, relayed by a command on the host instead of SSH's
 * port forwarding: for hosts whose sshd forbids forwarding (AllowTcpForwarding no, a CIS
 * benchmark item). bash's /dev/tcp opens the connection, so no tool beyond bash is needed; the
 * bytes (TLS, for the API client) pass through untouched, end to end between the control machine
 * and the service.
 */
import type { Duplex } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import { EasyKubeError } from "../errors.js";
import { shellQuote } from "./quote.js";

/** Printed on stderr once connected: the stream is handed over only then, so a refused port is an error, not an empty stream. */
const CONNECTED = "easy-kube-relay-connected";

/**
 * Both directions run in the background (the writer on a copy of stdin: bash gives a background job
 * /dev/null otherwise), and whichever ends first ends the other and the script: when the service
 * closes, the control machine sees the stream end; when the control machine closes the channel, the
 * connection to the service is closed with the script (no process or connection left behind).
 */
export function relayCommand(host: string, port: number): string {
  const script = `exec 3<>"/dev/tcp/$0/$1" || exit 1; exec 4<&0; printf '%s\\n' ${CONNECTED} >&2; cat <&4 >&3 & w=$!; cat <&3 & r=$!; wait -n; kill "$w" "$r" 2>/dev/null; exit 0`;
  return `exec bash -c ${shellQuote(script)} ${shellQuote(host)} ${shellQuote(String(port))}`;
}

export function openRelay(client: Client, from: string, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.exec(relayCommand(host, port), (error: Error | undefined, channel: ClientChannel) => {
      if (error) {
        reject(new EasyKubeError(`cannot reach ${host}:${port} from ${from}: sshd there forbids port forwarding, and a channel for a relay command failed too: ${error.message}`));
        return;
      }
      let stderr = "";
      const onStderr = (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!stderr.includes(CONNECTED)) return;
        channel.stderr.off("data", onStderr);
        channel.off("exit", onExit);
        resolve(channel);
      };
      // "exit", not "close": nobody reads the channel's output yet, so it would not close.
      const onExit = () => reject(new EasyKubeError(`cannot reach ${host}:${port} from ${from} (sshd there forbids port forwarding, so through bash on the host): ${stderr.trim() || "the relay ended"}`));
      channel.stderr.on("data", onStderr);
      channel.once("exit", onExit);
    });
  });
}
