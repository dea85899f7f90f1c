/**
 * A small Kubernetes API client: JSON over HTTPS with the cluster CA and a client certificate (or
 * token), on streams the endpoint opens (TCP, or an SSH channel), kept alive between requests so a
 * run pays for one TLS handshake per stream, not one per request.
 */
import { Agent, request, type RequestOptions } from "node:https";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate } from "node:tls";
import { EasyKubeError } from "../errors.js";
import type { KubeEndpoint } from "./endpoint.js";

export interface ApiResponse {
  readonly status: number;
  /** The parsed JSON body (a Status object for most errors). */
  readonly body: any;
}

export interface RequestBody {
  readonly body: unknown;
  /** @default "application/json" */
  readonly contentType?: string;
}

/** The API server answered with an error status. */
export class KubeApiError extends EasyKubeError {
  override readonly name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API server could not be reached at all (refused, no route, TLS refused): no answer to judge. */
export class KubeApiUnreachable extends EasyKubeError {
  override readonly name = "KubeApiUnreachable";
}

const REQUEST_TIMEOUT_MS = 30_000;

export class KubeApiClient {
  private readonly agent: Agent;

  constructor(readonly endpoint: KubeEndpoint) {
    this.agent = new StreamAgent(endpoint);
  }

  /** Any status is returned; `expectOk` turns the others into errors. */
  async request(method: string, path: string, body?: RequestBody): Promise<ApiResponse> {
    const { credentials } = this.endpoint;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body.body));
    const options: RequestOptions = {
      method,
      path,
      agent: this.agent,
      host: this.endpoint.serverName,
      headers: {
        accept: "application/json",
        ...(payload && { "content-type": body!.contentType ?? "application/json", "content-length": payload.length }),
        ...(credentials.token && { authorization: `Bearer ${credentials.token}` }),
      },
    };
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(new KubeApiUnreachable(`cannot reach the Kubernetes API at ${this.endpoint.description} (${method} ${path}): ${describeConnectionError(error)}`));
      const req = request(options, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", fail);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's error page): kept as text for the message.
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on("error", fail);
      req.end(payload);
    });
  }

  /** The body of a 2xx answer; anything else is a KubeApiError with the server's own message. */
  async expectOk(method: string, path: string, body?: RequestBody): Promise<any> {
    const response = await this.request(method, path, body);
    if (response.status >= 200 && response.status < 300) return response.body;
    throw apiError(response, `${method} ${path}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

export function apiError(response: ApiResponse, what: string): KubeApiError {
  const status = typeof response.body === "object" && response.body ? response.body : {};
  const message = typeof status.message === "string" ? status.message : typeof response.body === "string" ? response.body.trim().slice(0, 300) : "";
  return new KubeApiError(response.status, String(status.reason ?? ""), `${what}: the API server answered ${response.status}${status.reason ? ` ${status.reason}` : ""}${message ? `: ${message}` : ""}`);
}

/**
 * An https agent whose sockets are TLS over the endpoint's streams. Idle streams close after a few
 * seconds and never keep the process alive.
 */
class StreamAgent extends Agent {
  constructor(private readonly endpoint: KubeEndpoint) {
    super({ keepAlive: true, maxSockets: 4, timeout: 5_000 });
  }

  override createConnection(_options: RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const { credentials, serverName } = this.endpoint;
    this.endpoint.connect().then(
      (stream) => {
        const socket = tlsConnect({
          socket: stream,
          ca: credentials.caPem,
          cert: credentials.clientCertPem,
          key: credentials.clientKeyPem,
          // SNI takes names only; an address is still checked against the certificate's IP names.
          servername: isIP(serverName) ? undefined : serverName,
          checkServerIdentity: (_host: string, certificate: PeerCertificate) => checkServerIdentity(serverName, certificate),
        });
        callback?.(null, socket);
      },
      (error: Error) => callback?.(error, undefined as never),
    );
    return undefined;
  }
}

function describeConnectionError(error: Error): string {
  const code = (error as { code?: string }).code ?? "";
  if (code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || code === "SELF_SIGNED_CERT_IN_CHAIN" || code === "DEPTH_ZERO_SELF_SIGNED_CERT") {
    return `its certificate is not signed by the cluster CA (${error.message})`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `its certificate does not name the address used (${error.message})`;
  return error.message;
}
