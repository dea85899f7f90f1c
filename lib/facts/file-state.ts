/** The state of one path: type, mode, owner, group, size, sha256 (files) and link target (links). */
import { shellQuote } from "../connection/quote.js";
import { EasyKubeError } from "../errors.js";
import { defineFact } from "./fact.js";
import { SHA256_FUNCTION } from "./remote-sha256.js";

export type FileState =
  | { readonly type: "absent" }
  | {
      readonly type: "file" | "directory" | "link" | "other";
      readonly mode: string;
      readonly owner: string;
      readonly group: string;
      readonly size: number;
      readonly sha256?: string;
      readonly linkTarget?: string;
    };

/** Prints `type mode owner group size sha256 target` (tab-separated), or `absent`. */
function statScript(path: string): string {
  return [
    `p=${shellQuote(path)}`,
    `if [ -L "$p" ]; then t=link; elif [ -d "$p" ]; then t=directory; elif [ -f "$p" ]; then t=file; elif [ -e "$p" ]; then t=other; else echo absent; exit 0; fi`,
    `s=$(stat -c '%a\t%U\t%G\t%s' -- "$p") || exit 1`,
    SHA256_FUNCTION,
    // A redirect, not a pipe: a file we may not read fails the command instead of hashing nothing.
    `h=; if [ "$t" = file ]; then h=$(ek_sha256 < "$p") || exit 1; h=\${h%% *}; fi`,
    `l=; if [ "$t" = link ]; then l=$(readlink -- "$p"); fi`,
    `printf '%s\\t%s\\t%s\\t%s\\n' "$t" "$s" "$h" "$l"`,
  ].join("\n");
}

export function parseStatLine(line: string, path: string): FileState {
  if (line.trim() === "absent") return { type: "absent" };
  const [type, mode, owner, group, size, sha256, linkTarget] = line.split("\t");
  if (!type || !mode || owner === undefined || group === undefined) throw new EasyKubeError(`cannot read the state of ${path}: unexpected output '${line}'`);
  return {
    type: type as "file",
    mode: mode.padStart(4, "0"),
    owner,
    group,
    size: Number(size),
    ...(sha256 ? { sha256 } : {}),
    ...(linkTarget ? { linkTarget } : {}),
  };
}

export const fileState = defineFact<string, FileState>({
  name: "file_state",
  command: statScript,
  parse({ stdout, stderr, code }, path) {
    if (code !== 0) throw new EasyKubeError(`cannot read the state of ${path}: ${stderr.trim() || `exit code ${code}`}`);
    return parseStatLine(stdout.trimEnd(), path);
  },
});

export interface FileWithContent {
  readonly state: FileState;
  /** The file's text; empty when it is absent. */
  readonly content: string;
}

/** State plus content in one round trip, for edits of part of a file (lines, blocks). */
export const fileWithContent = defineFact<string, FileWithContent>({
  name: "file_with_content",
  command: (path) => `${statScript(path)}\nif [ "$t" = file ]; then cat -- "$p"; fi`,
  parse({ stdout, stderr, code }, path) {
    if (code !== 0) throw new EasyKubeError(`cannot read ${path}: ${stderr.trim() || `exit code ${code}`}`);
    const newline = stdout.indexOf("\n");
    const state = parseStatLine(newline < 0 ? stdout : stdout.slice(0, newline), path);
    if (state.type !== "absent" && state.type !== "file") throw new EasyKubeError(`${path} is a ${state.type}, not a file`);
    return { state, content: state.type === "file" ? stdout.slice(newline + 1) : "" };
  },
});

/** Content of a file, only read when a diff is asked for. */
export const fileContent = defineFact<string, string | undefined>({
  name: "file_content",
  command: (path) => `if [ -f ${shellQuote(path)} ]; then cat -- ${shellQuote(path)}; else exit 3; fi`,
  parse: ({ stdout, code }) => (code === 0 ? stdout : undefined),
});
