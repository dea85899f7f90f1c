/**
 * dockerImage: an image archive (docker-save format, on the control machine) present in the host's
 * Docker under its tag. Decided by image ID: the host's image with that tag must have the ID the
 * archive's config gives; otherwise the archive is streamed to `docker load` (no registry needed,
 * nothing left on the host's disk but the image).
 */
import { execFileSync } from "node:child_process";
import { EasyKubeError } from "../errors.js";
import { shellCommand } from "../connection/quote.js";
import { localSha256 } from "./local-file.js";
import { OperationFailed, type Operation } from "./operation.js";

export interface DockerImageArgs {
  /** The archive on the control machine. */
  readonly archive: string;
  /** Its expected sha256 (the bundle lock's): a mismatch stops before anything is sent. */
  readonly sha256: string;
}

export interface ArchivedImage {
  /** "sha256:<config digest>": the ID Docker gives the image once loaded. */
  readonly imageId: string;
  readonly repoTags: readonly string[];
}

const archives = new Map<string, ArchivedImage>();

/** The image an archive holds, read from its manifest.json (once per archive content). */
export function archivedImage(archive: string, sha256: string): ArchivedImage {
  const known = archives.get(sha256);
  if (known) return known;
  let manifest: { Config: string; RepoTags: string[] | null }[];
  try {
    // "manifest.json" from docker save, "./manifest.json" from the bundle's writer.
    const text = execFileSync("tar", ["-xOf", archive, "--wildcards", "*manifest.json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    manifest = JSON.parse(text);
  } catch {
    throw new EasyKubeError(`${archive}: not an image archive (no readable manifest.json)`);
  }
  const entry = manifest[0];
  if (!entry || manifest.length !== 1) throw new EasyKubeError(`${archive}: an image archive of the bundle holds exactly one image`);
  const image = { imageId: `sha256:${entry.Config.replace(/^(\.\/)?(sha256:)?/, "").replace(/\.json$/, "")}`, repoTags: entry.RepoTags ?? [] };
  archives.set(sha256, image);
  return image;
}

export function dockerImage(args: DockerImageArgs): Operation {
  return {
    title: `docker image from ${args.archive}`,
    async plan(target) {
      const actual = localSha256(args.archive);
      if (actual !== args.sha256.toLowerCase()) {
        throw new EasyKubeError(`${args.archive} has sha256 ${actual}, the bundle lock expects ${args.sha256}; refusing to load an image that does not match`);
      }
      const image = archivedImage(args.archive, actual);
      const tag = image.repoTags[0];
      if (!tag) throw new EasyKubeError(`${args.archive}: the image has no tag to run it by`);
      const present = await target.connection.run(shellCommand("docker", "image", "inspect", "--format", "{{.Id}}", tag));
      if (present.code === 0 && present.stdout.trim() === image.imageId) return { changes: [] };
      const was = present.code === 0 ? `, replacing ${present.stdout.trim().slice(0, 19)}` : "";
      return {
        changes: [`load ${tag} (${image.imageId.slice(0, 19)})${was}`],
        async apply() {
          const loaded = await target.connection.run("docker load", { stdinFile: args.archive });
          if (loaded.code !== 0) throw new OperationFailed(`docker load of ${args.archive} failed: ${(loaded.stderr || loaded.stdout).trim()}`);
          const now = await target.connection.run(shellCommand("docker", "image", "inspect", "--format", "{{.Id}}", tag));
          if (now.stdout.trim() !== image.imageId) throw new OperationFailed(`after docker load, ${tag} is ${now.stdout.trim() || "missing"}, not ${image.imageId}`);
        },
      };
    },
  };
}
