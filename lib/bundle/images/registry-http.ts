/**
 * GET requests to a registry's HTTP API v2 with the registry's own auth: on 401 the
 * WWW-Authenticate challenge says how to authenticate (Bearer: fetch a token from the realm,
 * anonymously or with the configured credentials; Basic: send the credentials), and the request
 * is made again. Blob downloads are often redirected to a storage host, which must not get the
 * registry's token, so redirects are followed here and credentials stay with the registry.
 */
import { EasyKubeError } from "../../errors.js";

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistrySession {
  /** "https://registry-1.docker.io". */
  readonly baseUrl: string;
  readonly repository: string;
  readonly credentials?: RegistryCredentials;
  /** The Authorization header earned by the last challenge, reused for the session's requests. */
  authorization?: string;
}

const MAX_REDIRECTS = 5;

/** GET <baseUrl>/v2/<repository>/<path>; a 401 is answered once with the challenge's auth. */
export async function registryGet(session: RegistrySession, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = `${session.baseUrl}/v2/${session.repository}/${path}`;
  const first = await getFollowingRedirects(session, url, headers);
  if (first.status !== 401) return first;
  await first.body?.cancel();
  session.authorization = await authorizationFor(session, first.headers.get("www-authenticate") ?? "", url);
  const second = await getFollowingRedirects(session, url, headers);
  if (second.status === 401) {
    await second.body?.cancel();
    throw new EasyKubeError(`${url}: refused the ${session.credentials ? "configured credentials" : "anonymous token"} (HTTP 401)`);
  }
  return second;
}

async function getFollowingRedirects(session: RegistrySession, url: string, headers: Record<string, string>): Promise<Response> {
  const registryOrigin = new URL(session.baseUrl).origin;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameOrigin = new URL(current).origin === registryOrigin;
    const response = await fetchOrExplain(current, { headers: { ...headers, ...(sameOrigin && session.authorization ? { authorization: session.authorization } : {}) }, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.body?.cancel();
    current = new URL(location, current).toString();
  }
  throw new EasyKubeError(`${url}: more than ${MAX_REDIRECTS} redirects`);
}

async function fetchOrExplain(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const e = error as Error;
    throw new EasyKubeError(`cannot reach ${url}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  }
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="..."` -> scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of (match?.[2] ?? "").matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[key!.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : bare!;
  }
  return { scheme: (match?.[1] ?? "").toLowerCase(), params };
}

async function authorizationFor(session: RegistrySession, challengeHeader: string, url: string): Promise<string> {
  const { scheme, params } = parseChallenge(challengeHeader);
  const basic = session.credentials ? `Basic ${Buffer.from(`${session.credentials.username}:${session.credentials.password}`).toString("base64")}` : undefined;
  if (scheme === "basic") {
    if (!basic) throw new EasyKubeError(`${url}: the registry asks for a user name and password (HTTP Basic), and none is configured for it`);
    return basic;
  }
  if (scheme !== "bearer" || !params["realm"]) throw new EasyKubeError(`${url}: HTTP 401 without a usable challenge (WWW-Authenticate: "${challengeHeader}")`);
  const tokenUrl = new URL(params["realm"]);
  if (params["service"]) tokenUrl.searchParams.set("service", params["service"]);
  tokenUrl.searchParams.set("scope", params["scope"] ?? `repository:${session.repository}:pull`);
  const response = await fetchOrExplain(tokenUrl.toString(), { headers: basic ? { authorization: basic } : {} });
  if (!response.ok) {
    await response.body?.cancel();
    throw new EasyKubeError(`${tokenUrl.origin}${tokenUrl.pathname}: no ${basic ? "" : "anonymous "}pull token for ${session.repository} (HTTP ${response.status})`);
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new EasyKubeError(`${tokenUrl.origin}${tokenUrl.pathname}: the answer holds no token`);
  return `Bearer ${token}`;
}

/** A registry's error answer as one line: "MANIFEST_UNKNOWN: manifest unknown (HTTP 404)". */
export async function registryErrorText(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    if (errors.length > 0) return `${errors.map((e) => `${e.code ?? "ERROR"}: ${e.message ?? ""}`).join("; ")} (HTTP ${response.status})`;
  } catch {
    // not the registry's JSON error body: the status says enough
  }
  return `HTTP ${response.status}`;
}
