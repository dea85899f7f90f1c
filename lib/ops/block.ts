/**
 * block: a block of lines between marker comments, present or absent (Ansible's blockinfile).
 * The markers let a re-run find and replace exactly the block it wrote.
 */
import { joinLines, planEdit, splitLines, type EditArgs } from "./edit-file.js";
import type { Operation } from "./operation.js";

export interface BlockArgs extends EditArgs {
  readonly block: string;
  /** @default "present" */
  readonly state?: "present" | "absent";
  /** `{mark}` becomes BEGIN or END. @default "# {mark} EASY-KUBE MANAGED BLOCK" */
  readonly marker?: string;
}

export function block(args: BlockArgs): Operation {
  const marker = args.marker ?? "# {mark} EASY-KUBE MANAGED BLOCK";
  const begin = marker.replace("{mark}", "BEGIN");
  const end = marker.replace("{mark}", "END");
  const state = args.state ?? "present";
  return {
    title: `block in ${args.path}`,
    plan: (target) =>
      planEdit(target, args, state === "present" ? `block '${begin}' in ${args.path}` : `remove block '${begin}' from ${args.path}`, (text) => {
        const lines = splitLines(text);
        const from = lines.indexOf(begin);
        const to = from >= 0 ? lines.indexOf(end, from) : -1;
        const wanted = state === "present" ? [begin, ...splitLines(args.block), end] : [];
        if (from >= 0 && to >= 0) lines.splice(from, to - from + 1, ...wanted);
        else lines.push(...wanted);
        return joinLines(lines);
      }),
  };
}
