/**
 * A real image registry on loopback for the registry client's tests: Debian's docker-registry
 * (the CNCF distribution registry) with filesystem storage in a temporary folder and, like
 * Docker Hub and gcr.io, token auth: a small token server here issues the JWTs the registry
 * verifies against the token CA it is configured with (anonymous tokens may pull, except from
 * repositories under private/, which need the user name and password; the push function mints
 * its own push token). Also what the tests push: images built from a few files,
 * pushed blob by blob (monolithic uploads) and by manifest, and two-arch manifest lists.
 */
import { spawn, execFileSync } from "node:child_process";
import { createHash, createSign, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import forge from "node-forge";
import { createCa } from "../../lib/pki/certificate.js";
import { REPRODUCIBLE_TAR } from "../../lib/bundle/images/docker-archive.js";

export interface LocalRegistry {
  /** "127.0.0.1:<port>": what an image reference or image_registry names. */
  readonly host: string;
  /** The registry's storage folder (docker/registry/v2/... under it). */
  readonly storage: string;
  /** Token requests the token server answered, by scope ("repository:x/y:pull"). */
  readonly tokenRequests: string[];
  /** The only user the token server gives tokens for repositories under private/. */
  readonly credentials: { readonly username: string; readonly password: string };
  /** Path of a blob's content on disk, for tampering with it. */
  blobPath(digest: string): string;
  push(repository: string, reference: string, manifest: PushableManifest, blobs?: readonly Buffer[]): Promise<string>;
  stop(): Promise<void>;
}

export interface PushableManifest {
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface TestImage {
  readonly manifest: PushableManifest;
  readonly blobs: readonly Buffer[];
  readonly configDigest: string;
  readonly manifestDigest: string;
  readonly layerDigest: string;
  readonly diffId: string;
  readonly architecture: string;
}

const SERVICE = "easy-kube-test-registry";
const ISSUER = "easy-kube-test-token-server";
export const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A token server in the registry's "token" auth scheme: GET /token?service=&scope= -> {"token": JWT}. */
function tokenIssuer(signer: { certPem: string; keyPem: string }) {
  const x5c = [Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(signer.certPem))).getBytes(), "binary").toString("base64")];
  return (scope: string | null, allowed: readonly string[]): string => {
    const access = scope
      ? (() => {
          const [type, name, actions] = [scope.split(":")[0], scope.split(":").slice(1, -1).join(":"), scope.split(":").at(-1) ?? ""];
          return [{ type, name, actions: actions.split(",").filter((a) => allowed.includes(a)) }];
        })()
      : [];
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT", x5c }));
    const claims = base64url(JSON.stringify({ iss: ISSUER, sub: "anonymous", aud: SERVICE, exp: now + 600, nbf: now - 60, iat: now, jti: randomBytes(8).toString("hex"), access }));
    const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(signer.keyPem);
    return `${header}.${claims}.${base64url(signature)}`;
  };
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const work = mkdtempSync(join(tmpdir(), "ek-registry-"));
  const storage = join(work, "storage");
  mkdirSync(storage);
  const signer = createCa({ subject: { commonName: "easy-kube test token signer" }, validityDays: 2, keyBits: 2048 });
  writeFileSync(join(work, "token-ca.pem"), signer.certPem);
  const issue = tokenIssuer(signer);
  const tokenRequests: string[] = [];
  const credentials = { username: "puller", password: randomBytes(9).toString("base64url") };
  const tokenServer: Server = createHttpServer((req, res) => {
    const scope = new URL(req.url ?? "/", "http://x").searchParams.get("scope");
    tokenRequests.push(scope ?? "");
    const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    if (scope?.startsWith("repository:private/") && req.headers.authorization !== basic) {
      res.statusCode = 401;
      res.end();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ token: issue(scope, ["pull"]) }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, "127.0.0.1", resolve));
  const realm = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;

  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // No blob descriptor cache: a blob changed on disk is served as it now is.
  writeFileSync(
    join(work, "config.yml"),
    [
      "version: 0.1",
      "log: { level: error, accesslog: { disabled: true } }",
      `storage: { filesystem: { rootdirectory: ${storage} } }`,
      `http: { addr: "${host}" }`,
      `auth: { token: { realm: "${realm}", service: ${SERVICE}, issuer: ${ISSUER}, rootcertbundle: ${join(work, "token-ca.pem")} } }`,
      "",
    ].join("\n"),
  );
  const child = spawn("docker-registry", ["serve", join(work, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`http://${host}/v2/`).then((r) => r.status === 401, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const api = `http://${host}/v2`;
  const request = async (url: string, init: RequestInit, repository: string, expected: number) => {
    const authorization = `Bearer ${issue(`repository:${repository}:pull,push`, ["pull", "push"])}`;
    const response = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization } });
    if (response.status !== expected) throw new Error(`${init.method} ${url}: HTTP ${response.status} ${await response.text()}`);
    return response;
  };
  const pushBlob = async (repository: string, blob: Buffer) => {
    const started = await request(`${api}/${repository}/blobs/uploads/`, { method: "POST" }, repository, 202);
    const upload = new URL(started.headers.get("location")!, api);
    upload.searchParams.set("digest", digestOf(blob));
    await request(upload.toString(), { method: "PUT", body: new Uint8Array(blob), headers: { "content-type": "application/octet-stream" } }, repository, 201);
  };
  return {
    host,
    storage,
    tokenRequests,
    credentials,
    blobPath: (digest) => {
      const hex = digest.replace(/^sha256:/, "");
      return join(storage, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
    },
    async push(repository, reference, manifest, blobs = []) {
      for (const blob of blobs) await pushBlob(repository, blob);
      await request(`${api}/${repository}/manifests/${reference}`, { method: "PUT", body: new Uint8Array(manifest.bytes), headers: { "content-type": manifest.mediaType } }, repository, 201);
      return digestOf(manifest.bytes);
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      await new Promise((r) => tokenServer.close(r));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A one-layer image holding `files` (path -> content), as a registry stores it (gzip layer, schema 2 or OCI). */
export function testImage(files: Record<string, string>, architecture: string, oci = false): TestImage {
  const root = mkdtempSync(join(tmpdir(), "ek-image-root-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const tar = execFileSync("tar", [...REPRODUCIBLE_TAR, "-C", root, "-cf", "-", "."], { maxBuffer: 64 << 20 });
  rmSync(root, { recursive: true, force: true });
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({ architecture, os: "linux", created: "2020-01-01T00:00:00Z", config: { Cmd: ["/bin/sh"] }, rootfs: { type: "layers", diff_ids: [digestOf(tar)] }, history: [{ created: "2020-01-01T00:00:00Z", created_by: "test" }] }),
  );
  const types = oci
    ? { manifest: "application/vnd.oci.image.manifest.v1+json", config: "application/vnd.oci.image.config.v1+json", layer: "application/vnd.oci.image.layer.v1.tar+gzip" }
    : { manifest: "application/vnd.docker.distribution.manifest.v2+json", config: "application/vnd.docker.container.image.v1+json", layer: "application/vnd.docker.image.rootfs.diff.tar.gzip" };
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, size: config.length, digest: digestOf(config) },
      layers: [{ mediaType: types.layer, size: layer.length, digest: digestOf(layer) }],
    }),
  );
  return { manifest: { mediaType: types.manifest, bytes }, blobs: [config, layer], configDigest: digestOf(config), manifestDigest: digestOf(bytes), layerDigest: digestOf(layer), diffId: digestOf(tar), architecture };
}

/** A manifest list (or OCI index) naming each image for linux/<its architecture>. */
export function manifestList(images: readonly TestImage[], oci = false): PushableManifest {
  const mediaType = oci ? "application/vnd.oci.image.index.v1+json" : "application/vnd.docker.distribution.manifest.list.v2+json";
  const manifests = images.map((image) => ({
    mediaType: image.manifest.mediaType,
    size: image.manifest.bytes.length,
    digest: image.manifestDigest,
    platform: { architecture: image.architecture, os: "linux", ...(image.architecture === "arm64" ? { variant: "v8" } : {}) },
  }));
  return { mediaType, bytes: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests })) };
}
