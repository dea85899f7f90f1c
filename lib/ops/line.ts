/**
 * line: one line present or absent in a file (Ansible's lineinfile). With `regexp`, the last
 * matching line is replaced (present) or every matching line removed (absent); without it, the
 * exact line is looked for. New lines go after the last match of `insertAfter`, or at the end.
 */
import { EasyKubeError } from "../errors.js";
import { joinLines, planEdit, splitLines, type EditArgs } from "./edit-file.js";
import type { Operation } from "./operation.js";

export interface LineArgs extends EditArgs {
  readonly line?: string;
  readonly regexp?: string;
  /** @default "present" */
  readonly state?: "present" | "absent";
  /** A regular expression; the new line goes after its last match (or at the end). */
  readonly insertAfter?: string;
  /** A regular expression, or "BOF"; the new line goes before its last match. */
  readonly insertBefore?: string;
}

export function line(args: LineArgs): Operation {
  const state = args.state ?? "present";
  if (state === "present" && args.line === undefined) throw new EasyKubeError(`line in ${args.path}: state present needs 'line'`);
  if (state === "absent" && args.line === undefined && args.regexp === undefined) throw new EasyKubeError(`line in ${args.path}: state absent needs 'line' or 'regexp'`);
  const matcher = args.regexp === undefined ? (l: string) => l === args.line : regexpTester(args.regexp, args.path);
  return {
    title: `line in ${args.path}`,
    plan: (target) =>
      planEdit(target, args, state === "present" ? `line '${args.line}' in ${args.path}` : `remove lines from ${args.path}`, (text) => {
        const lines = splitLines(text);
        if (state === "absent") return joinLines(lines.filter((l) => !matcher(l)));
        const wanted = args.line!;
        const matchIndex = lastIndex(lines, matcher);
        if (matchIndex >= 0) {
          lines[matchIndex] = wanted;
          return joinLines(lines);
        }
        if (lines.includes(wanted)) return text;
        lines.splice(insertionIndex(lines, args), 0, wanted);
        return joinLines(lines);
      }),
  };
}

function insertionIndex(lines: string[], args: LineArgs): number {
  if (args.insertBefore === "BOF") return 0;
  if (args.insertBefore !== undefined) {
    const index = lastIndex(lines, regexpTester(args.insertBefore, args.path));
    return index >= 0 ? index : lines.length;
  }
  if (args.insertAfter !== undefined && args.insertAfter !== "EOF") {
    const index = lastIndex(lines, regexpTester(args.insertAfter, args.path));
    return index >= 0 ? index + 1 : lines.length;
  }
  return lines.length;
}

function lastIndex(lines: string[], test: (line: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i]!)) return i;
  return -1;
}

function regexpTester(source: string, path: string): (line: string) => boolean {
  try {
    const re = new RegExp(source);
    return (l) => re.test(l);
  } catch (error) {
    throw new EasyKubeError(`line in ${path}: '${source}' is not a valid regular expression: ${(error as Error).message}`);
  }
}
