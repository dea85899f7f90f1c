/**
 * The one way the roles reach the Kubernetes API over SSH: the PKI folder's admin identity, to
 * `address:port` as the host at the other end of `connection` sees it (a master's 127.0.0.1:6443,
 * a node's local proxy, a load balancer). The control machine needs no route to the API.
 */
import type { Connection } from "../connection/types.js";
import { adminCredentials } from "./credentials.js";
import { tunnelEndpoint, type KubeEndpoint } from "./endpoint.js";

export interface AdminApiAccess {
  readonly pkiDir: string;
  readonly port: number;
  /** @default "127.0.0.1" */
  readonly address?: string;
}

export function adminEndpoint(connection: Connection, access: AdminApiAccess): KubeEndpoint {
  return tunnelEndpoint(connection, access.port, adminCredentials(access.pkiDir), access.address);
}
