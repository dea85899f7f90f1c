/**
 * Image archives in `docker save` format, written without Docker: a plain tar holding
 * manifest.json (tags -> config and layers), the image config (whose sha256 is the image ID
 * `docker load` reports) and each layer as an uncompressed tar named by its diff ID. Written
 * deterministically (sorted names, fixed times and owners), so the same layers give the same file.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256OfFile } from "../../ops/local-file.js";
import { runTool } from "../run-tool.js";

/** The part of an image's run configuration the bundle's images set. */
export interface ImageRunConfig {
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
  readonly User?: string;
}

export interface ImageToWrite {
  /** e.g. ["k8s.gcr.io/pause:3.2"]. */
  readonly repoTags: readonly string[];
  /** Go architecture names (amd64, arm64). */
  readonly architecture: string;
  readonly config: ImageRunConfig;
  /** Uncompressed layer tars, lowest first. */
  readonly layerTars: readonly string[];
  /** The config's `created` time; fixed by callers for reproducible archives. */
  readonly created: string;
  /**
   * An image's own config, byte for byte (an image pulled from a registry), written instead of
   * one made from the fields above, so the image ID stays the registry's config digest. Its
   * rootfs.diff_ids must be the layer tars' sha256, in order.
   */
  readonly configBytes?: Buffer;
}

export interface WrittenImage {
  /** sha256 of the config: the image ID docker reports after loading ("sha256:..."). */
  readonly imageId: string;
  readonly diffIds: readonly string[];
}

/** Options that make GNU tar's output depend on content only. */
export const REPRODUCIBLE_TAR = ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu"];

/** A layer tar of a folder's content (the folder is the image's /). */
export function layerTarOf(rootfs: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  runTool("tar", [...REPRODUCIBLE_TAR, "-C", rootfs, "-cf", file, "."]);
}

export function writeDockerArchive(file: string, image: ImageToWrite): WrittenImage {
  const work = mkdtempSync(join(dirname(file), ".image-"));
  try {
    const diffIds = image.layerTars.map((tar) => `sha256:${sha256OfFile(tar)}`);
    const layers = image.layerTars.map((tar, i) => {
      const name = `${diffIds[i]!.slice("sha256:".length)}/layer.tar`;
      mkdirSync(join(work, dirname(name)), { recursive: true });
      copyFileSync(tar, join(work, name));
      return name;
    });
    const config =
      image.configBytes ??
      Buffer.from(
        JSON.stringify({
          architecture: image.architecture,
          os: "linux",
          created: image.created,
          config: image.config,
          rootfs: { type: "layers", diff_ids: diffIds },
          history: image.layerTars.map(() => ({ created: image.created, created_by: "easy-kube bundle" })),
        }),
      );
    const configHex = createHash("sha256").update(config).digest("hex");
    writeFileSync(join(work, `${configHex}.json`), config);
    writeFileSync(join(work, "manifest.json"), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: image.repoTags, Layers: layers }]));
    const temporary = `${file}.tmp`;
    runTool("tar", [...REPRODUCIBLE_TAR, "-C", work, "-cf", temporary, "."]);
    renameSync(temporary, file);
    return { imageId: `sha256:${configHex}`, diffIds };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
