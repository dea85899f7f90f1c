/**
 * Where the Kubernetes API server is and how to reach it: directly from the control machine (a URL),
 * or through a host's SSH connection to a port there (a master's 127.0.0.1:6443) when the control
 * machine cannot reach that port. Either way the client gets a byte stream and runs TLS over it.
 */
import { connectTcp } from "../connection/tcp-connect.js";
import type { Duplex } from "node:stream";
import type { Connection } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import type { KubeCredentials } from "./credentials.js";

export interface KubeEndpoint {
  /** Opens a byte stream to the API server's TLS port. */
  readonly connect: () => Promise<Duplex>;
  /** The name (DNS name or IP) the server's certificate must carry. */
  readonly serverName: string;
  /** For messages and as the key of per-run caches: "https://10.0.0.1:6443", "127.0.0.1:6443 on master1 (SSH)". */
  readonly description: string;
  readonly credentials: KubeCredentials;
}

const CONNECT_TIMEOUT_MS = 10_000;

export function directEndpoint(server: string, credentials: KubeCredentials): KubeEndpoint {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new EasyKubeError(`the Kubernetes API server '${server}' is not a URL such as https://10.0.0.1:6443`);
  }
  if (url.protocol !== "https:") throw new EasyKubeError(`the Kubernetes API server '${server}' must be an https:// URL`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || 443);
  return {
    serverName: host,
    description: url.origin,
    credentials,
    connect: () => connectTcp(host, port, CONNECT_TIMEOUT_MS),
  };
}

/**
 * Through `connection` (SSH to a master) to `address:port` as that host sees it. The kubernetes
 * certificate names 127.0.0.1, so the loopback address of the master verifies.
 */
export function tunnelEndpoint(connection: Connection, port: number, credentials: KubeCredentials, address = "127.0.0.1"): KubeEndpoint {
  const forward = connection.forwardTcp;
  if (!forward) throw new EasyKubeError(`cannot reach the Kubernetes API through ${connection.host}: its connection is not SSH; give the API server's URL instead`);
  return {
    serverName: address,
    description: `${address}:${port} on ${connection.host} (through SSH)`,
    credentials,
    connect: () => forward.call(connection, address, port),
  };
}
