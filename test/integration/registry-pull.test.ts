/**
 * The registry client against a real registry on loopback (Debian's docker-registry, with token
 * auth like Docker Hub's and gcr.io's): images pulled by tag and by digest become `docker save`
 * archives with the registry's config (image ID = config digest) and the right layers and tag; a
 * manifest list gives the bundle architecture's image; a site mirror (image_registry) serves
 * images under their own names; a redirect to another registry host is followed, the token
 * staying with the host that asked for it; credentials reach the token server; a tampered manifest or blob
 * and an unknown tag are refused clearly, leaving no file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pullImage } from "../../lib/bundle/images/index.js";
import { digestOf, manifestList, startLocalRegistry, testImage, type LocalRegistry, type TestImage } from "../helpers/local-registry.js";

interface ArchiveContent {
  readonly repoTags: readonly string[] | null;
  readonly configName: string;
  readonly config: Buffer;
  readonly layers: readonly Buffer[];
  readonly layerNames: readonly string[];
}

function readArchive(file: string): ArchiveContent {
  const dir = mkdtempSync(join(tmpdir(), "ek-archive-"));
  execFileSync("tar", ["-xf", file, "-C", dir]);
  const [entry] = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { Config: string; RepoTags: string[] | null; Layers: string[] }[];
  return { repoTags: entry!.RepoTags, configName: entry!.Config, config: readFileSync(join(dir, entry!.Config)), layers: entry!.Layers.map((l) => readFileSync(join(dir, l))), layerNames: entry!.Layers };
}

function layerFiles(layer: Buffer): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "ek-layer-"));
  writeFileSync(join(dir, "layer.tar"), layer);
  execFileSync("tar", ["-xf", join(dir, "layer.tar"), "-C", dir]);
  return Object.fromEntries(readdirSync(dir).filter((f) => f !== "layer.tar").map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

function expectArchiveOf(file: string, image: TestImage, repoTags: readonly string[]): void {
  const archive = readArchive(file);
  expect(archive.repoTags ?? []).toEqual(repoTags);
  expect(archive.configName).toBe(`${image.configDigest.slice("sha256:".length)}.json`);
  expect(digestOf(archive.config)).toBe(image.configDigest);
  expect(archive.layerNames).toEqual([`${image.diffId.slice("sha256:".length)}/layer.tar`]);
  expect(digestOf(archive.layers[0]!)).toBe(image.diffId);
}

describe("pulling images from a registry (registry HTTP API v2)", () => {
  let registry: LocalRegistry;
  const out = mkdtempSync(join(tmpdir(), "ek-pulled-"));
  const pause = testImage({ pause: "pause for amd64" }, "amd64");
  const pauseArm = testImage({ pause: "pause for arm64" }, "arm64");
  const ociImage = testImage({ app: "an OCI image" }, "amd64", true);

  beforeAll(async () => {
    registry = await startLocalRegistry();
    await registry.push("pause", pause.manifestDigest, pause.manifest, pause.blobs);
    await registry.push("pause", pauseArm.manifestDigest, pauseArm.manifest, pauseArm.blobs);
    await registry.push("pause", "3.2", manifestList([pause, pauseArm]));
    await registry.push("x/single", "1.0", pause.manifest, pause.blobs);
    await registry.push("x/oci", "1", ociImage.manifest, ociImage.blobs);
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it("pulls by tag with an anonymous token; a manifest list gives the bundle architecture's image", async () => {
    const amd64 = await pullImage({ reference: `${registry.host}/pause:3.2`, arch: "amd64", file: join(out, "pause-amd64.tar") });
    expect(amd64).toEqual({ repoTags: [`${registry.host}/pause:3.2`], imageId: pause.configDigest, manifestDigest: pause.manifestDigest, source: `${registry.host}/pause@${pause.manifestDigest}` });
    expectArchiveOf(join(out, "pause-amd64.tar"), pause, [`${registry.host}/pause:3.2`]);
    expect(layerFiles(readArchive(join(out, "pause-amd64.tar")).layers[0]!)).toEqual({ pause: "pause for amd64" });
    expect(registry.tokenRequests).toContain("repository:pause:pull");

    const arm64 = await pullImage({ reference: `${registry.host}/pause:3.2`, arch: "arm64", file: join(out, "pause-arm64.tar") });
    expect(arm64.imageId).toBe(pauseArm.configDigest);
    expectArchiveOf(join(out, "pause-arm64.tar"), pauseArm, [`${registry.host}/pause:3.2`]);
  });

  it("pulls by digest (no tag on the node, as docker save writes it) and reads OCI manifests", async () => {
    const byDigest = await pullImage({ reference: `${registry.host}/x/single@${pause.manifestDigest}`, arch: "amd64", file: join(out, "single.tar") });
    expect(byDigest.repoTags).toEqual([]);
    expectArchiveOf(join(out, "single.tar"), pause, []);

    const oci = await pullImage({ reference: `${registry.host}/x/oci:1`, arch: "amd64", file: join(out, "oci.tar") });
    expect(oci.imageId).toBe(ociImage.configDigest);
    expectArchiveOf(join(out, "oci.tar"), ociImage, [`${registry.host}/x/oci:1`]);
  });

  it("takes every image from the site's mirror (image_registry) and tags it with its own name", async () => {
    const pulled = await pullImage({ reference: "k8s.gcr.io/pause:3.2", arch: "amd64", registry: registry.host, file: join(out, "mirrored.tar") });
    expect(pulled.source).toBe(`${registry.host}/pause@${pause.manifestDigest}`);
    expectArchiveOf(join(out, "mirrored.tar"), pause, ["k8s.gcr.io/pause:3.2"]);
  });

  it("follows a registry's redirect to another host (k8s.gcr.io -> registry.k8s.io), authenticating with that host alone", async () => {
    const seen: (string | undefined)[] = [];
    const front = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(307, { location: `http://${registry.host}${req.url}` }).end();
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    const frontHost = `127.0.0.1:${(front.address() as AddressInfo).port}`;
    try {
      const pulled = await pullImage({ reference: "k8s.gcr.io/pause:3.2", arch: "arm64", registry: frontHost, file: join(out, "redirected.tar") });
      expect(pulled.imageId).toBe(pauseArm.configDigest);
      expect(seen.length).toBeGreaterThan(3);
      expect(seen.filter(Boolean)).toEqual([]);
    } finally {
      front.close();
    }
  });

  it("says which platforms a manifest list offers when the bundle's is not among them", async () => {
    await expect(pullImage({ reference: `${registry.host}/pause:3.2`, arch: "s390x", file: join(out, "none.tar") })).rejects.toThrow(/no image for linux\/s390x; the registry offers linux\/amd64, linux\/arm64\/v8/);
    expect(existsSync(join(out, "none.tar"))).toBe(false);
  });

  it("refuses an image of another architecture than the bundle's", async () => {
    await expect(pullImage({ reference: `${registry.host}/x/single:1.0`, arch: "arm64", file: join(out, "wrong-arch.tar") })).rejects.toThrow(/the image is for linux\/amd64, and the bundle is for arm64/);
    expect(existsSync(join(out, "wrong-arch.tar"))).toBe(false);
  });

  it("refuses an unknown tag clearly", async () => {
    await expect(pullImage({ reference: `${registry.host}/pause:9.9`, arch: "amd64", file: join(out, "unknown.tar") })).rejects.toThrow(
      new RegExp(`${registry.host}/pause:9.9: the registry http://${registry.host} has no image pause:9.9: MANIFEST_UNKNOWN`),
    );
    expect(existsSync(join(out, "unknown.tar"))).toBe(false);
  });

  it("asks the token server with the configured credentials, and says so when a registry wants them", async () => {
    await registry.push("private/pause", "3.2", pause.manifest, pause.blobs);
    await expect(pullImage({ reference: `${registry.host}/private/pause:3.2`, arch: "amd64", file: join(out, "private.tar") })).rejects.toThrow(/no anonymous pull token for private\/pause \(HTTP 401\)/);
    const pulled = await pullImage({ reference: `${registry.host}/private/pause:3.2`, arch: "amd64", credentials: registry.credentials, file: join(out, "private.tar") });
    expect(pulled.imageId).toBe(pause.configDigest);
  });

  it("refuses a manifest whose content does not match its digest", async () => {
    const image = testImage({ pause: "manifest to be tampered with" }, "amd64");
    await registry.push("x/tampered-manifest", "1", image.manifest, image.blobs);
    // Same length, still a valid manifest: only its digest tells.
    const data = registry.blobPath(image.manifestDigest);
    const text = readFileSync(data, "utf8");
    const size = /"size":(\d+)/.exec(text)![1]!;
    const changed = text.replace(`"size":${size}`, `"size":${size.slice(0, -1)}${(Number(size.at(-1)) + 1) % 10}`);
    expect(changed).not.toBe(text);
    writeFileSync(data, changed);
    const file = join(out, "tampered-manifest.tar");
    for (const reference of [`${registry.host}/x/tampered-manifest:1`, `${registry.host}/x/tampered-manifest@${image.manifestDigest}`]) {
      await expect(pullImage({ reference, arch: "amd64", file })).rejects.toThrow(`manifest ${image.manifestDigest} from http://${registry.host} has content with ${digestOf(Buffer.from(changed))}: refused`);
    }
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a blob whose content does not match its digest, and leaves no file", async () => {
    const tampered = testImage({ pause: "to be tampered with" }, "amd64");
    await registry.push("x/tampered", "1", tampered.manifest, tampered.blobs);
    const data = registry.blobPath(tampered.layerDigest);
    const bytes = readFileSync(data);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(data, bytes);

    const file = join(out, "tampered", "pause.tar");
    await expect(pullImage({ reference: `${registry.host}/x/tampered:1`, arch: "amd64", file })).rejects.toThrow(
      `${registry.host}/x/tampered:1: blob ${tampered.layerDigest} from http://${registry.host} has content with ${digestOf(bytes)} (${bytes.length} bytes): refused, the registry's copy is corrupt or tampered with`,
    );
    expect(readdirSync(join(out, "tampered"))).toEqual([]);
  });
});
