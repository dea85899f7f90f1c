/**
 * unarchive: unpacks a tar archive from the control machine into a folder on the host, streamed
 * through the command's stdin. A stamp file records the archive's sha256, so the archive is sent
 * again only when it changed.
 */
import { basename } from "node:path";
import { shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { defineFact } from "../facts/fact.js";
import { localSha256 } from "./local-file.js";
import type { Operation, Plan } from "./operation.js";

export interface UnarchiveArgs {
  /** A .tar, .tar.gz/.tgz or .tar.xz on the control machine. */
  readonly src: string;
  /** The folder to unpack into; created when missing. */
  readonly dest: string;
  /** @default 0 */
  readonly stripComponents?: number;
}

const stamp = defineFact<string, string>({
  name: "unarchive_stamp",
  command: (path) => `cat -- ${shellQuote(path)} 2>/dev/null; true`,
  parse: ({ stdout }) => stdout.trim(),
});

export function unarchive(args: UnarchiveArgs): Operation {
  const stampFile = `${args.dest}/.easy-kube-${basename(args.src)}.sha256`;
  return {
    title: `unarchive ${basename(args.src)} -> ${args.dest}`,
    async plan(target): Promise<Plan> {
      const sha256 = localSha256(args.src);
      if ((await target.facts.get(stamp, stampFile)) === sha256) return { changes: [] };
      const decompress = /\.(tgz|tar\.gz)$/.test(args.src) ? "z" : /\.tar\.xz$/.test(args.src) ? "J" : "";
      const q = shellQuote;
      return {
        changes: [`unpack ${basename(args.src)} into ${args.dest}`],
        apply: async () => {
          await runChecked(
            target.connection,
            [
              "set -e",
              `mkdir -p -- ${q(args.dest)}`,
              `tar -x${decompress}f - -C ${q(args.dest)} --no-same-owner --strip-components=${args.stripComponents ?? 0}`,
              `printf '%s\\n' ${q(sha256)} > ${q(stampFile)}`,
            ].join("\n"),
            { stdinFile: args.src },
          );
        },
      };
    },
  };
}
