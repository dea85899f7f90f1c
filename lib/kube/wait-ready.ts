/**
 * Waits until objects are ready (see readiness.ts), reading them every `intervalMs`; a timeout
 * names each object still not ready with where it stands and its last conditions.
 */
import { OperationFailed } from "../ops/operation.js";
import { apiError, type KubeApiClient } from "./api-client.js";
import { readiness } from "./readiness.js";

export interface ReadinessTarget {
  /** "Deployment kube-system/coredns" */
  readonly name: string;
  readonly path: string;
}

export async function waitUntilReady(client: KubeApiClient, targets: readonly ReadinessTarget[], timeoutMs: number, intervalMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...targets];
  for (;;) {
    const states = await Promise.all(
      pending.map(async (target) => {
        const response = await client.request("GET", target.path);
        if (response.status !== 200) throw apiError(response, `waiting for ${target.name}`);
        return { target, state: readiness(response.body) };
      }),
    );
    const notReady = states.filter(({ state }) => state !== undefined && !state.ready);
    if (notReady.length === 0) return;
    if (Date.now() >= deadline) {
      const lines = notReady.map(({ target, state }) => `${target.name}: ${state!.summary}`);
      throw new OperationFailed(`not ready after ${Math.round(timeoutMs / 1000)} s: ${lines.join("; ")}`, { notReady: notReady.map(({ target }) => target.name) });
    }
    pending = notReady.map(({ target }) => target);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
