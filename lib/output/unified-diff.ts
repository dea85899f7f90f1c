/** Unified diffs for --diff, via jsdiff; secret files are announced without their content. */
import type * as Diff from "diff";
import type { FileDiff } from "../ops/operation.js";
import { lazyRequire } from "../util/lazy-require.js";

const jsdiff = lazyRequire<typeof Diff>("diff");

export function renderDiff(diff: FileDiff): string {
  if (diff.secret) return `--- before: ${diff.path}\n+++ after: ${diff.path}\n(content not shown: secret or binary)\n`;
  return jsdiff.createTwoFilesPatch(`before: ${diff.path}`, `after: ${diff.path}`, diff.before, diff.after, "", "", { context: 3 })
    .split("\n")
    .slice(1) // jsdiff's "=====" header line
    .join("\n");
}
