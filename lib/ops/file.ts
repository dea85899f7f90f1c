/** file: a directory, an empty file, a symbolic link, or nothing at a path, with mode and owner. */
import { shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import { fileState } from "../facts/file-state.js";
import { attributeChanges, attributeCommands, type FileAttributes } from "./attributes.js";
import type { Operation, Plan } from "./operation.js";

export interface FileArgs extends FileAttributes {
  readonly path: string;
  /** @default "directory" */
  readonly state?: "directory" | "file" | "link" | "absent";
  /** Link target, for state "link". */
  readonly src?: string;
}

export function file(args: FileArgs): Operation {
  const state = args.state ?? "directory";
  if (state === "link" && !args.src) throw new EasyKubeError(`file ${args.path}: state "link" needs src (the link target)`);
  return {
    title: `file ${args.path} (${state})`,
    async plan(target): Promise<Plan> {
      const current = await target.facts.get(fileState, args.path);
      const q = shellQuote;
      const apply = (commands: string[]) => async () => {
        await runChecked(target.connection, ["set -e", ...commands].join("\n"));
      };
      if (state === "absent") {
        if (current.type === "absent") return { changes: [] };
        return { changes: [`remove ${current.type} ${args.path}`], apply: apply([`rm -rf -- ${q(args.path)}`]) };
      }
      if (current.type !== "absent" && current.type !== state) {
        throw new EasyKubeError(`${args.path} is a ${current.type}; expected a ${state}. Remove it first if it should be replaced`);
      }
      const changes: string[] = [];
      const commands: string[] = [];
      if (current.type === "absent") {
        changes.push(`create ${state} ${args.path}`);
        if (state === "directory") commands.push(`mkdir -p -- ${q(args.path)}`);
        else if (state === "file") commands.push(`: > ${q(args.path)}`);
        else commands.push(`ln -s -- ${q(args.src!)} ${q(args.path)}`);
      } else if (state === "link" && current.linkTarget !== args.src) {
        changes.push(`link target ${current.linkTarget} -> ${args.src}`);
        commands.push(`ln -sfn -- ${q(args.src!)} ${q(args.path)}`);
      }
      // A link's own mode is meaningless on Linux; only its ownership is managed.
      const attributes = state === "link" ? { owner: args.owner, group: args.group } : args;
      const attributeDelta = attributeChanges(current, attributes);
      changes.push(...attributeDelta);
      if (current.type === "absent" || attributeDelta.length > 0) {
        commands.push(...attributeCommands(args.path, attributes, q).map((c) => (state === "link" ? c.replace(/^chown /, "chown -h ") : c)));
      }
      return changes.length > 0 ? { changes, apply: apply(commands) } : { changes };
    },
  };
}
