/**
 * Image archives written without Docker: the layout `docker load` reads (manifest.json naming the
 * config and layers), the image ID (the config's sha256) and diff IDs (the layers' sha256), and the
 * same content giving the same file.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { layerTarOf, writeDockerArchive } from "../../lib/bundle/images/docker-archive.js";
import { archivedImage } from "../../lib/ops/docker-image.js";
import { sha256OfFile } from "../../lib/ops/local-file.js";

function sampleImage(dir: string, file: string): ReturnType<typeof writeDockerArchive> {
  const rootfs = join(dir, "rootfs");
  mkdirSync(join(rootfs, "bin"), { recursive: true });
  writeFileSync(join(rootfs, "bin", "hello"), "#!/bin/sh\necho hello\n", { mode: 0o755 });
  layerTarOf(rootfs, join(dir, "layer.tar"));
  return writeDockerArchive(file, { repoTags: ["example/hello:1.0"], architecture: "amd64", config: { Entrypoint: ["/bin/hello"] }, layerTars: [join(dir, "layer.tar")], created: "1970-01-01T00:00:00Z" });
}

const member = (archive: string, name: string) => execFileSync("tar", ["-xOf", archive, name]);

describe("docker-archive files", () => {
  it("hold manifest.json, the config named by its sha256 (the image ID) and each layer named by its diff ID", () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-image-"));
    const archive = join(dir, "hello.tar");
    const written = sampleImage(dir, archive);
    const manifest = JSON.parse(member(archive, "./manifest.json").toString());
    expect(manifest).toHaveLength(1);
    expect(manifest[0].RepoTags).toEqual(["example/hello:1.0"]);
    const config = member(archive, `./${manifest[0].Config}`);
    expect(`sha256:${createHash("sha256").update(config).digest("hex")}`).toBe(written.imageId);
    const parsed = JSON.parse(config.toString());
    expect(parsed).toMatchObject({ architecture: "amd64", os: "linux", config: { Entrypoint: ["/bin/hello"] }, rootfs: { type: "layers" } });
    expect(parsed.rootfs.diff_ids).toEqual([`sha256:${sha256OfFile(join(dir, "layer.tar"))}`]);
    const layer = member(archive, `./${manifest[0].Layers[0]}`);
    expect(`sha256:${createHash("sha256").update(layer).digest("hex")}`).toBe(parsed.rootfs.diff_ids[0]);
    // The layer is a plain tar of the root folder, owned by root.
    expect(execFileSync("tar", ["-tvf", join(dir, "layer.tar")], { encoding: "utf8" })).toMatch(/-rwxr-xr-x 0\/0 .* \.\/bin\/hello/);
    // What the dockerImage operation reads back to decide whether a node has the image.
    expect(archivedImage(archive, sha256OfFile(archive))).toEqual({ imageId: written.imageId, repoTags: ["example/hello:1.0"] });
  });

  it("are reproducible: the same content gives the same bytes", () => {
    const a = mkdtempSync(join(tmpdir(), "ek-image-a-"));
    const b = mkdtempSync(join(tmpdir(), "ek-image-b-"));
    sampleImage(a, join(a, "x.tar"));
    sampleImage(b, join(b, "x.tar"));
    expect(readFileSync(join(a, "x.tar")).equals(readFileSync(join(b, "x.tar")))).toBe(true);
  });
});
