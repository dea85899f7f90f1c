/**
 * etcd's two timing flags must fit together, or etcd refuses to start: the election timeout at
 * least 5 times the heartbeat interval (etcd's own check; defaults 1000 and 100 ms) and at most
 * 50000 ms. Checked before any host is touched, from etcd_extra_flags as the user wrote them.
 */
import { extraFlagValue } from "easy-kube";

const DEFAULT_HEARTBEAT_MS = 100;
const DEFAULT_ELECTION_MS = 1000;
const MAX_ELECTION_MS = 50000;

export function timingProblems(extraFlags: Readonly<Record<string, string | number>>): string[] {
  const read = (flag: string, fallback: number) => {
    const text = extraFlagValue(extraFlags, flag);
    return text === undefined ? fallback : Number(text);
  };
  const heartbeat = read("heartbeat-interval", DEFAULT_HEARTBEAT_MS);
  const election = read("election-timeout", DEFAULT_ELECTION_MS);
  const problems: string[] = [];
  for (const [flag, value] of [["heartbeat-interval", heartbeat], ["election-timeout", election]] as const) {
    if (!Number.isInteger(value) || value <= 0) problems.push(`etcd_extra_flags ${flag}: ${extraFlagValue(extraFlags, flag)} is not a positive number of milliseconds`);
  }
  if (problems.length > 0) return problems;
  if (election < 5 * heartbeat) problems.push(`etcd_extra_flags: election-timeout ${election} ms must be at least 5 times heartbeat-interval ${heartbeat} ms (etcd refuses to start otherwise); set election-timeout to ${5 * heartbeat} or more`);
  if (election > MAX_ELECTION_MS) problems.push(`etcd_extra_flags: election-timeout ${election} ms is above etcd's limit of ${MAX_ELECTION_MS} ms`);
  return problems;
}
