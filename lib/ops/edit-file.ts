/**
 * Shared by line and block edits: read the file and its state in one round trip, compute the new
 * text locally, and write it back atomically only when it differs.
 */
import { EasyKubeError } from "../errors.js";
import { fileWithContent } from "../facts/file-state.js";
import { attributeChanges, normalizeMode, type FileAttributes } from "./attributes.js";
import type { Plan, Target } from "./operation.js";
import { writeRemoteFile } from "./remote-file.js";

export interface EditArgs extends FileAttributes {
  readonly path: string;
  /** Create the file when it is missing. @default false */
  readonly create?: boolean;
  readonly backup?: boolean;
}

export async function planEdit(target: Target, args: EditArgs, describe: string, edit: (text: string) => string): Promise<Plan> {
  const { state, content } = await target.facts.get(fileWithContent, args.path);
  if (state.type === "absent" && !args.create) throw new EasyKubeError(`${args.path} does not exist (set create: true to create it)`);
  const after = edit(content);
  const changes = [...(after !== content ? [describe] : []), ...attributeChanges(state, args)];
  if (changes.length === 0) return { changes };
  return {
    changes,
    diffs: target.diff ? [{ path: args.path, before: content, after }] : [],
    apply: () =>
      writeRemoteFile(target.connection, args.path, after, {
        mode: args.mode === undefined ? undefined : normalizeMode(args.mode),
        owner: args.owner,
        group: args.group,
        backup: args.backup,
      }),
  };
}

/** Splits text into lines, remembering whether it ended with a newline. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.replace(/\n$/, "").split("\n");
}

export function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
