/**
 * When a live object is ready, for the kinds worth waiting for: a Deployment rolled out (the
 * controller saw the latest spec, every replica updated and available, no old ones left), a
 * DaemonSet's pods updated and ready on every node it should run on, a Node Ready. The summary
 * says where it stands and its last conditions, for the message when a wait times out.
 */
export interface Readiness {
  readonly ready: boolean;
  /** "1 of 3 replicas updated, 0 available; conditions: Available=False (MinimumReplicasUnavailable: ...)". */
  readonly summary: string;
}

/** The kinds `readiness` knows how to judge. */
export const WAITABLE_KINDS: ReadonlySet<string> = new Set(["Deployment", "DaemonSet", "Node"]);

/** undefined: nothing to wait for with this kind. */
export function readiness(live: any): Readiness | undefined {
  const status = live?.status ?? {};
  const generation = live?.metadata?.generation;
  const observed = status.observedGeneration;
  const seenLatest = generation === undefined || (typeof observed === "number" && observed >= generation);
  const stale = seenLatest ? "" : `the controller has not seen generation ${generation} yet (observed ${observed ?? "none"}); `;
  switch (live?.kind) {
    case "Deployment": {
      const wanted = live.spec?.replicas ?? 1;
      const updated = status.updatedReplicas ?? 0;
      const available = status.availableReplicas ?? 0;
      const total = status.replicas ?? 0;
      const ready = seenLatest && updated === wanted && available === wanted && total === wanted;
      return { ready, summary: `${stale}${updated} of ${wanted} replicas updated, ${available} available, ${total} in all; ${conditions(status)}` };
    }
    case "DaemonSet": {
      const desired = status.desiredNumberScheduled ?? 0;
      const readyPods = status.numberReady ?? 0;
      const updated = status.updatedNumberScheduled ?? 0;
      const ready = seenLatest && status.desiredNumberScheduled !== undefined && readyPods === desired && updated === desired;
      return { ready, summary: `${stale}${readyPods} of ${desired} pods ready, ${updated} updated; ${conditions(status)}` };
    }
    case "Node": {
      const condition = (status.conditions ?? []).find((c: any) => c.type === "Ready");
      return { ready: condition?.status === "True", summary: conditions(status) };
    }
    default:
      return undefined;
  }
}

function conditions(status: any): string {
  const list: any[] = status.conditions ?? [];
  if (list.length === 0) return "no conditions reported";
  return `conditions: ${list.map((c) => `${c.type}=${c.status}${c.reason || c.message ? ` (${[c.reason, c.message].filter(Boolean).join(": ")})` : ""}`).join(", ")}`;
}
