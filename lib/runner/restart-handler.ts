/**
 * The handler that restarts a node service after its configuration or its program changed, the same
 * for every role (etcd, Docker, and the Kubernetes services as they land). It skips a host where
 * this run started the service (it already runs the new configuration and program), and restarts
 * at most `restart_throttle` hosts at once (default 1): a bad change stops at the first host that
 * fails instead of taking every node down together, and the others keep serving meanwhile.
 */
import type { Vars } from "../inventory/model.js";
import type { Operation } from "../ops/operation.js";
import { systemd } from "../ops/systemd.js";
import { v } from "../vars/schema.js";
import type { Task, TaskContext } from "./types.js";

/** Put into a role's schema: how many hosts restart one of its services at once. */
export const restartThrottleVar = v.integer(1, "Hosts that restart a service at once after a change (1: one after another, so the others keep serving).", { min: 1 });

export interface RestartHandlerArgs<V> {
  /** The handler's name, as tasks notify it. */
  readonly name: string;
  /** The systemd unit. */
  readonly service: string;
  /** `register` of the task that starts the service: when its data says `started`, this run started it. */
  readonly startedBy: string;
  /** `reloaded` for a service that takes a new configuration without dropping its connections (haproxy). @default "restarted" */
  readonly state?: "restarted" | "reloaded";
  /** A fixed number of hosts at once (etcd: 1, for its quorum); default: the variable restart_throttle. */
  readonly throttle?: number;
  /** Operations before the restart (wait until the cluster can lose this member) and after (wait until it is back). */
  readonly before?: (ctx: TaskContext<V>) => readonly Operation[];
  readonly after?: (ctx: TaskContext<V>) => readonly Operation[];
}

export function restartHandler<V = Vars>(args: RestartHandlerArgs<V>): Task<V> {
  return {
    name: args.name,
    throttle: args.throttle ?? (({ vars }) => Number((vars as Vars)["restart_throttle"] ?? 1)),
    when: ({ results }) => results[args.startedBy]?.data["started"] !== true,
    action: (ctx) => [...(args.before?.(ctx) ?? []), systemd({ name: args.service, state: args.state ?? "restarted" }), ...(args.after?.(ctx) ?? [])],
  };
}
