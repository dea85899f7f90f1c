/** Live kernel parameters and the content of the file that persists them, in one round trip. */
import { shellQuote } from "../connection/quote.js";
import { defineFact } from "./fact.js";

export interface SysctlState {
  /** key -> live value, or undefined when the key does not exist on this kernel. */
  readonly live: Map<string, string | undefined>;
  readonly persisted: string;
}

const FILE_MARK = "--easy-kube-sysctl-file--";

export const sysctlState = defineFact<{ keys: readonly string[]; file: string }, SysctlState>({
  name: "sysctl",
  command: ({ keys, file }) =>
    [
      `for k in ${keys.map(shellQuote).join(" ")}; do if v=$(sysctl -n -- "$k" 2>/dev/null); then printf 'ok\\t%s\\t%s\\n' "$k" "$v"; else printf 'missing\\t%s\\t\\n' "$k"; fi; done`,
      `echo ${FILE_MARK}`,
      `cat -- ${shellQuote(file)} 2>/dev/null; true`,
    ].join("\n"),
  parse({ stdout }) {
    const mark = stdout.indexOf(FILE_MARK + "\n");
    const live = new Map<string, string | undefined>();
    for (const line of stdout.slice(0, mark).split("\n").filter(Boolean)) {
      const [status, key, ...value] = line.split("\t");
      live.set(key!, status === "ok" ? value.join("\t") : undefined);
    }
    return { live, persisted: stdout.slice(mark + FILE_MARK.length + 1) };
  },
});

/** sysctl prints multi-value parameters with tabs; compare them word by word. */
export function sameSysctlValue(a: string | number, b: string | number): boolean {
  return String(a).trim().split(/\s+/).join(" ") === String(b).trim().split(/\s+/).join(" ");
}
