/** fetch: copies a file from the host to the control machine, only when it differs. */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import { fileState } from "../facts/file-state.js";
import { sha256OfFile } from "./local-file.js";
import type { Operation, Plan } from "./operation.js";

export interface FetchArgs {
  /** Path on the host. */
  readonly src: string;
  /** Path on the control machine. */
  readonly dest: string;
  /** @default "0644"; use "0600" for keys. */
  readonly mode?: number;
}

export function fetch(args: FetchArgs): Operation {
  return {
    title: `fetch ${args.src} -> ${args.dest}`,
    async plan(target): Promise<Plan> {
      const remote = await target.facts.get(fileState, args.src);
      if (remote.type !== "file") throw new EasyKubeError(`cannot fetch ${args.src}: it is ${remote.type === "absent" ? "missing" : `a ${remote.type}`}`);
      if (existsSync(args.dest) && sha256OfFile(args.dest) === remote.sha256) return { changes: [] };
      return {
        changes: [`fetch ${args.src} to ${args.dest}`],
        async apply() {
          const { stdoutBytes } = await runChecked(target.connection, `cat -- ${shellQuote(args.src)}`);
          mkdirSync(dirname(args.dest), { recursive: true });
          const temporary = `${args.dest}.${process.pid}.tmp`;
          writeFileSync(temporary, stdoutBytes, { mode: args.mode ?? 0o644 });
          renameSync(temporary, args.dest);
        },
      };
    },
  };
}
