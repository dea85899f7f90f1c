/**
 * copy: puts bytes (given content, or a file on the control machine) at a path on the host. The
 * upload happens only when the sha256 differs; attributes alone are fixed with chmod/chown. A file
 * from the control machine is streamed from disk (never read whole, whatever its size and the
 * number of hosts), sent only as the bytes it was planned with, and installed only when the control
 * machine vouched for them (remote-file.ts).
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { localDigest, type LocalDigest } from "./local-file.js";
import { shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import { fileContent, fileState } from "../facts/file-state.js";
import { attributeChanges, attributeCommands, normalizeMode, type FileAttributes } from "./attributes.js";
import type { FileDiff, Operation, Plan, Target } from "./operation.js";
import { writeRemoteFile, type WriteOptions } from "./remote-file.js";

export interface CopyArgs extends FileAttributes {
  readonly dest: string;
  /** The bytes to write; or give `src`. */
  readonly content?: string | Buffer;
  /** A file on the control machine to copy. */
  readonly src?: string;
  /**
   * `src` is made by an earlier play of the same run (certificates generated, then distributed):
   * a dry run, which makes nothing, reports the copy as a change instead of failing on the missing
   * file. Without it a missing `src` is an error in check mode too (a typo stays visible).
   */
  readonly srcMadeByRun?: boolean;
  /** Keys, tokens: never shown in diffs. */
  readonly secret?: boolean;
  /** Keep the previous version as `<dest>.<timestamp>~`. */
  readonly backup?: boolean;
  /** Checks the new file before it replaces the old one; `%s` is its path, e.g. "visudo -cf %s". */
  readonly validate?: string;
}

export function copy(args: CopyArgs): Operation {
  if ((args.content === undefined) === (args.src === undefined)) throw new EasyKubeError(`copy to ${args.dest}: give exactly one of content or src`);
  return {
    title: `copy ${args.dest}`,
    plan: (target) => planCopy(target, args),
  };
}

export async function planCopy(target: Target, args: CopyArgs): Promise<Plan> {
  if (target.check && args.srcMadeByRun && args.src !== undefined && !existsSync(args.src)) return { changes: [`copy ${args.src} (made earlier in a real run) -> ${args.dest}`] };
  // A local file's bytes are read only when they are sent or shown; its hash is cached per run.
  const digest = args.src !== undefined ? localSourceDigest(args.src, args.dest) : undefined;
  const sha256 = digest ? digest.sha256 : createHash("sha256").update(args.content!).digest("hex");
  const current = await target.facts.get(fileState, args.dest);
  if (current.type !== "absent" && current.type !== "file") {
    throw new EasyKubeError(`cannot write ${args.dest}: it is a ${current.type}, not a file`);
  }
  const contentChanges = current.type === "absent" ? [`create ${args.dest}`] : current.sha256 !== sha256 ? [`update ${args.dest}`] : [];
  const attributes = attributeChanges(current, args);
  const changes = [...contentChanges, ...attributes];
  if (changes.length === 0) return { changes };

  const diffs: FileDiff[] = [];
  if (target.diff && contentChanges.length > 0) {
    // A program is not shown as text: neither side of it is read (the host's copy would be fetched).
    const binary = isBinary(args.content !== undefined ? Buffer.from(args.content) : readLocalHead(args.src!, args.dest));
    const before = current.type === "file" && !binary ? ((await target.facts.get(fileContent, args.dest)) ?? "") : "";
    const after = binary ? "" : args.content !== undefined ? Buffer.from(args.content).toString("utf8") : readLocal(args.src!, args.dest).toString("utf8");
    diffs.push({ path: args.dest, before, after, secret: args.secret || binary });
  }
  const options: WriteOptions = {
    mode: args.mode === undefined ? undefined : normalizeMode(args.mode),
    owner: args.owner,
    group: args.group,
    backup: args.backup,
    validate: args.validate,
  };
  return {
    changes,
    diffs,
    async apply() {
      if (contentChanges.length > 0) await writeRemoteFile(target.connection, args.dest, digest ? { path: args.src!, ...digest } : args.content!, options);
      else await runChecked(target.connection, attributeCommands(args.dest, args, shellQuote).join(" && "));
    },
  };
}

function localSourceDigest(src: string, dest: string): LocalDigest {
  try {
    return localDigest(src, { remembered: true }); // the upload sends the file only while it is still what was hashed
  } catch (error) {
    throw new EasyKubeError(`copy to ${dest}: ${(error as Error).message}`);
  }
}

function readLocal(src: string, dest: string): Buffer {
  try {
    return readFileSync(src);
  } catch (error) {
    throw new EasyKubeError(`copy to ${dest}: cannot read ${src} on the control machine: ${(error as Error).message}`);
  }
}

/** The bytes that tell a program from text (as git and diff tell them). */
const BINARY_PROBE_BYTES = 8000;

function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_PROBE_BYTES).includes(0);
}

function readLocalHead(src: string, dest: string): Buffer {
  try {
    const fd = openSync(src, "r");
    try {
      const head = Buffer.alloc(BINARY_PROBE_BYTES);
      return head.subarray(0, readSync(fd, head));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new EasyKubeError(`copy to ${dest}: cannot read ${src} on the control machine: ${(error as Error).message}`);
  }
}
