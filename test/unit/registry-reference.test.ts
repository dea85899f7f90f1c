/**
 * The registry client's pure parts: image references read as Docker reads them (Docker Hub's
 * library/ and registry-1.docker.io, a site mirror replacing the registry host, http only on
 * loopback), auth challenges, and manifests (schema 1 refused, an index's platform chosen).
 */
import { describe, expect, it } from "vitest";
import { parseChallenge } from "../../lib/bundle/images/registry-http.js";
import { parseManifest, selectPlatform } from "../../lib/bundle/images/registry-manifest.js";
import { parseImageReference, registryLocation, repoTagOf } from "../../lib/bundle/images/registry-reference.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("image references", () => {
  it.each([
    ["busybox:1.35", { registry: "docker.io", repository: "library/busybox", tag: "1.35" }, "busybox:1.35", "https://registry-1.docker.io"],
    ["docker.io/library/busybox:1.35", { registry: "docker.io", repository: "library/busybox", tag: "1.35" }, "busybox:1.35", "https://registry-1.docker.io"],
    ["calico/node:v3.1.3", { registry: "docker.io", repository: "calico/node", tag: "v3.1.3" }, "calico/node:v3.1.3", "https://registry-1.docker.io"],
    ["k8s.gcr.io/pause:3.2", { registry: "k8s.gcr.io", repository: "pause", tag: "3.2" }, "k8s.gcr.io/pause:3.2", "https://k8s.gcr.io"],
    ["gcr.io/google_containers/pause-amd64:3.0", { registry: "gcr.io", repository: "google_containers/pause-amd64", tag: "3.0" }, "gcr.io/google_containers/pause-amd64:3.0", "https://gcr.io"],
    ["localhost:5000/x/y", { registry: "localhost:5000", repository: "x/y", tag: "latest" }, "localhost:5000/x/y:latest", "http://localhost:5000"],
    [`127.0.0.1:5000/x/y@${DIGEST}`, { registry: "127.0.0.1:5000", repository: "x/y", digest: DIGEST }, undefined, "http://127.0.0.1:5000"],
    [`quay.io/coreos/flannel:v0.10.0@${DIGEST}`, { registry: "quay.io", repository: "coreos/flannel", tag: "v0.10.0", digest: DIGEST }, "quay.io/coreos/flannel:v0.10.0", "https://quay.io"],
  ])("%s", (text, parsed, repoTag, baseUrl) => {
    const reference = parseImageReference(text);
    expect(reference).toEqual(parsed);
    expect(repoTagOf(reference)).toBe(repoTag);
    expect(registryLocation(reference).baseUrl).toBe(baseUrl);
  });

  it("fetches by digest when the reference pins one", () => {
    expect(registryLocation(parseImageReference(`quay.io/coreos/flannel:v0.10.0@${DIGEST}`)).manifestReference).toBe(DIGEST);
    expect(registryLocation(parseImageReference("k8s.gcr.io/pause:3.2")).manifestReference).toBe("3.2");
  });

  it("a site mirror (image_registry) replaces every image's registry host, with an optional path prefix", () => {
    expect(registryLocation(parseImageReference("k8s.gcr.io/pause:3.2"), "mirror.example.com:5000")).toEqual({ baseUrl: "https://mirror.example.com:5000", repository: "pause", manifestReference: "3.2" });
    expect(registryLocation(parseImageReference("busybox:1.35"), "mirror.example.com/hub")).toEqual({ baseUrl: "https://mirror.example.com", repository: "hub/library/busybox", manifestReference: "1.35" });
    expect(registryLocation(parseImageReference("k8s.gcr.io/pause:3.2"), "http://mirror.lan:5000").baseUrl).toBe("http://mirror.lan:5000");
  });

  it.each([
    ["Busybox:1.35", /"Busybox" is not a valid repository name part/],
    ["busybox:1.35@sha256:123", /the digest must be sha256:<64 hex digits>/],
    ["busybox:-bad", /"-bad" is not a valid tag/],
  ])("refuses %s", (text, message) => {
    expect(() => parseImageReference(text)).toThrow(message);
  });
});

describe("auth challenges", () => {
  it("reads a Bearer challenge as Docker Hub sends it", () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/busybox:pull" },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
  });
});

describe("manifests", () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));

  it("refuses schema 1 with a message that says what to do", () => {
    const schema1 = json({ schemaVersion: 1, name: "pause", tag: "3.0", fsLayers: [], history: [] });
    expect(() => parseManifest(schema1, "application/vnd.docker.distribution.manifest.v1+prettyjws", "gcr.io/google_containers/pause-amd64:3.0")).toThrow(
      "gcr.io/google_containers/pause-amd64:3.0: the registry serves a schema 1 manifest (Docker before 1.10), which easy-kube does not read; push the image again with a current Docker, or use a newer tag",
    );
  });

  it("chooses linux/<arch> from an index, arm64's v8 variant first", () => {
    const entry = (architecture: string, variant?: string) => ({ mediaType: "m", digest: `${architecture}${variant ?? ""}`, size: 1, platform: { os: "linux", architecture, ...(variant ? { variant } : {}) } });
    const manifests = [entry("arm", "v7"), entry("arm64", "v8"), entry("amd64"), { mediaType: "m", digest: "attestation", size: 1, platform: { os: "unknown", architecture: "unknown" } }];
    expect(selectPlatform(manifests, "arm64", "x").digest).toBe("arm64v8");
    expect(selectPlatform(manifests, "amd64", "x").digest).toBe("amd64");
    expect(() => selectPlatform(manifests, "ppc64le", "x")).toThrow("x: no image for linux/ppc64le; the registry offers linux/arm/v7, linux/arm64/v8, linux/amd64, unknown/unknown");
  });
});
