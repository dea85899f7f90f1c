/**
 * Starts an etcd member that is not running. etcd's unit is Type=notify, so `systemctl start`
 * returns when the member has joined a cluster with a leader: every new member of a cluster must be
 * started at the same time (the runner starts hosts in parallel). When a member that had no data
 * yet fails to bootstrap, it is stopped and its data folder wiped - a half-bootstrapped member
 * cannot retry - and the failure says what to do next.
 */
import { OperationFailed, shellQuote, type Operation, type Plan, type Target } from "easy-kube";
import { DISCOVERY_ENV_FILE } from "./discovery-environment.ts";

export interface StartMemberArgs {
  readonly dataDir: string;
  readonly discovery: boolean;
}

export function startMember(args: StartMemberArgs): Operation {
  const data = shellQuote(args.dataDir);
  return {
    title: "start etcd",
    async plan(target): Promise<Plan> {
      const probe = await target.connection.run(`systemctl is-active --quiet etcd && echo active; [ -d ${data}/member ] && echo has-data; true`);
      if (probe.stdout.includes("active")) return { changes: [], data: { started: false } };
      const isNew = !probe.stdout.includes("has-data");
      return {
        changes: [isNew ? "start etcd (bootstrap a new member)" : "start etcd"],
        data: { started: true },
        async apply() {
          const start = await target.connection.run("systemctl daemon-reload && systemctl start etcd");
          if (start.code === 0) return { data: { started: true } };
          const journal = await recentLog(target, args.discovery);
          if (!isNew) throw new OperationFailed(`etcd did not start: ${start.stderr.trim()}\n${journal}`);
          await target.connection.run(`systemctl stop etcd; rm -rf ${data}/member`);
          const next = args.discovery
            ? "A discovery URL serves one bootstrap: fix the cause, then re-run with -e etcd_discovery_renew=true to mint a new one."
            : "Fix the cause and re-run.";
          throw new OperationFailed(`etcd failed to bootstrap this new member; it was stopped and ${args.dataDir}/member wiped so it can bootstrap again. ${next}\n${journal}`);
        },
      };
    },
  };
}

/** etcd's last log lines, with the discovery URL masked: etcd logs it when it starts, and it is a secret. */
async function recentLog(target: Target, discovery: boolean): Promise<string> {
  const journal = (await target.connection.run("journalctl -u etcd -n 25 --no-pager -o cat 2>/dev/null || true")).stdout.trim();
  if (!discovery) return journal;
  const url = (await target.connection.run(`sed -n 's/^ETCD_DISCOVERY=//p' ${shellQuote(DISCOVERY_ENV_FILE)} 2>/dev/null || true`)).stdout.trim();
  return url ? journal.split(url).join("********") : journal;
}
