/**
 * GET requests to a registry's HTTP API v2 with the registry's own auth: on 401 the
 * WWW-Authenticate challenge says how to authenticate (Bearer: fetch a token from the realm,
 * anonymously or with the configured credentials; Basic: send the credentials), and the request
 * is made again. Registries redirect (k8s.gcr.io to registry.k8s.io to Artifact Registry; blobs
 * to a storage host), so redirects are followed here and each host gets only the authorization
 * its own challenge earned: a token never leaks to a storage host or another registry.
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
  /** Origin ("https://registry.k8s.io") -> the Authorization header its challenge earned, reused for the session's requests. */
  readonly authorizations: Map<string, string>;
}

const MAX_REDIRECTS = 5;

/** GET <baseUrl>/v2/<repository>/<path>; each host on the way that answers 401 is authenticated with once. */
export async function registryGet(session: RegistrySession, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = `${session.baseUrl}/v2/${session.repository}/${path}`;
  for (;;) {
    const { response, url: answeredBy } = await getFollowingRedirects(session, url, headers);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    const origin = new URL(answeredBy).origin;
    if (session.authorizations.has(origin)) {
      throw new EasyKubeError(`${answeredBy}: refused the ${session.credentials ? "configured credentials" : "anonymous token"} (HTTP 401)`);
    }
    // The credentials are the configured registry's: a host it redirects to gets an anonymous token.
    const credentials = origin === new URL(session.baseUrl).origin ? session.credentials : undefined;
    session.authorizations.set(origin, await authorizationFor(session.repository, credentials, response.headers.get("www-authenticate") ?? "", answeredBy));
  }
}

async function getFollowingRedirects(session: RegistrySession, url: string, headers: Record<string, string>): Promise<{ response: Response; url: string }> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const authorization = session.authorizations.get(new URL(current).origin);
    const response = await fetchOrExplain(current, { headers: { ...headers, ...(authorization ? { authorization } : {}) }, redirect: "manual" });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
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

async function authorizationFor(repository: string, credentials: RegistryCredentials | undefined, challengeHeader: string, url: string): Promise<string> {
  const { scheme, params } = parseChallenge(challengeHeader);
  const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` : undefined;
  if (scheme === "basic") {
    if (!basic) throw new EasyKubeError(`${url}: the registry asks for a user name and password (HTTP Basic), and none is configured for it`);
    return basic;
  }
  if (scheme !== "bearer" || !params["realm"]) throw new EasyKubeError(`${url}: HTTP 401 without a usable challenge (WWW-Authenticate: "${challengeHeader}")`);
  const tokenUrl = new URL(params["realm"]);
  if (params["service"]) tokenUrl.searchParams.set("service", params["service"]);
  tokenUrl.searchParams.set("scope", params["scope"] ?? `repository:${repository}:pull`);
  const response = await fetchOrExplain(tokenUrl.toString(), { headers: basic ? { authorization: basic } : {} });
  if (!response.ok) {
    await response.body?.cancel();
    throw new EasyKubeError(`${tokenUrl.origin}${tokenUrl.pathname}: no ${basic ? "" : "anonymous "}pull token for ${repository} (HTTP ${response.status})`);
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
