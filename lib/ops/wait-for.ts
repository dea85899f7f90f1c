/**
 * waitFor: blocks until a TCP port accepts connections, an HTTP(S) URL answers 2xx/3xx, or a
 * command succeeds, probing on the host itself in one remote loop (one round trip, not one per
 * try). It never changes anything; in check mode it probes once and reports skipped if not ready.
 */
import { shellQuote } from "../connection/quote.js";
import { EasyKubeError } from "../errors.js";
import { OperationFailed, type Operation, type Plan } from "./operation.js";

export interface WaitForArgs {
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  readonly url?: string;
  /** Extra curl options for `url`, e.g. ["--cacert", "/etc/kubernetes/ssl/ca.pem"]. */
  readonly curlOptions?: readonly string[];
  readonly command?: string;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** Seconds between probes. @default 1 */
  readonly intervalSeconds?: number;
  /**
   * Ready only once every probe has passed for this many seconds without a failure in between (a
   * load balancer's "rise" checks: it takes a backend back after it passed several in a row). The
   * deadline is timeoutSeconds plus this. @default 0
   */
  readonly readyForSeconds?: number;
}

export function waitFor(args: WaitForArgs): Operation {
  for (const [name, value] of [["timeoutSeconds", args.timeoutSeconds], ["intervalSeconds", args.intervalSeconds], ["readyForSeconds", args.readyForSeconds]] as const) {
    // They go into the shell's arithmetic: a fraction would break its tests and the loop would never end.
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new EasyKubeError(`waitFor: ${name} must be a whole number of seconds, got ${value}`);
  }
  const probe = probeCommand(args);
  const what = args.url ?? args.command ?? `${args.host ?? "127.0.0.1"}:${args.port}`;
  return {
    title: `wait for ${what}`,
    async plan(target): Promise<Plan> {
      const timeout = target.check ? 0 : (args.timeoutSeconds ?? 60);
      const interval = args.intervalSeconds ?? 1;
      // In check mode nothing was restarted: one probe says whether it is ready now.
      const readyFor = target.check ? 0 : (args.readyForSeconds ?? 0);
      const script = [
        `end=$(( $(date +%s) + ${timeout} + ${readyFor} )); since=`,
        `while :; do`,
        `  now=$(date +%s)`,
        // A failure after a pass starts the count again.
        `  if ( ${probe} ) >/dev/null 2>&1; then since=\${since:-$now}; [ $(( now - since )) -ge ${readyFor} ] && exit 0; else since=; fi`,
        `  [ "$now" -ge "$end" ] && exit 1`,
        `  sleep ${interval}`,
        `done`,
      ].join("\n");
      const result = await target.connection.run(script);
      if (result.code === 0) return { changes: [] };
      if (target.check) return { changes: [], skipped: `${what} is not ready now; a real run would wait up to ${args.timeoutSeconds ?? 60} s` };
      throw new OperationFailed(`${what} was not ready after ${timeout} s${readyFor > 0 ? ` (or not ${readyFor} s in a row)` : ""}`);
    },
  };
}

function probeCommand(args: WaitForArgs): string {
  const given = [args.port !== undefined, args.url !== undefined, args.command !== undefined].filter(Boolean).length;
  if (given !== 1) throw new EasyKubeError("waitFor needs exactly one of port, url or command");
  if (args.port !== undefined) {
    const host = shellQuote(args.host ?? "127.0.0.1");
    // bash's /dev/tcp needs no extra tool; fall back to nc where bash is missing.
    return `bash -c ${shellQuote(`exec 3<>/dev/tcp/${args.host ?? "127.0.0.1"}/${args.port}`)} || nc -z ${host} ${args.port}`;
  }
  if (args.url !== undefined) return `curl -fsS -o /dev/null --max-time 5 ${(args.curlOptions ?? []).map(shellQuote).join(" ")} ${shellQuote(args.url)}`;
  return args.command!;
}
