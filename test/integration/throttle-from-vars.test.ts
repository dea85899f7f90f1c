/**
 * A task's throttle read from the hosts' variables (what restartHandler does with restart_throttle):
 * at most that many hosts run the task at once, the smallest value of the hosts winning. Measured
 * by the overlap of each host's run of a task that takes a moment, on the real sshd.
 */
import { expect, inject, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { command } from "../../lib/ops/index.js";
import type { Playbook } from "../../lib/runner/types.js";
import { sshdInventory } from "../helpers/inventory.js";
import { runCollecting } from "../helpers/run.js";

const sshd = inject("sshd");

/** The largest number of hosts that were inside the task at the same time. */
async function mostAtOnce(throttleVars: string): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), "ek-throttle-"));
  const inventory = sshdInventory(sshd, { web: ["h1", "h2", "h3", "h4"] }, `work=${root}\n${throttleVars}`).file;
  const playbook: Playbook = {
    name: "throttle",
    plays: [
      {
        name: "p",
        hosts: "web",
        gatherFacts: false,
        tasks: [
          {
            name: "slow",
            throttle: ({ vars }) => Number(vars["restart_throttle"] ?? 1),
            action: ({ vars }) => command({ cmd: `date +%s%N >> ${vars["work"]}/log-start; sleep 0.4; date +%s%N >> ${vars["work"]}/log-end` }),
          },
        ],
      },
    ],
  };
  expect((await runCollecting(playbook, inventory)).exitCode).toBe(0);
  const events = [
    ...readFileSync(join(root, "log-start"), "utf8").trim().split("\n").map((t) => ({ at: BigInt(t), delta: 1 })),
    ...readFileSync(join(root, "log-end"), "utf8").trim().split("\n").map((t) => ({ at: BigInt(t), delta: -1 })),
  ].sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1));
  let inside = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (inside += e.delta));
  return most;
}

it("restart_throttle from the inventory limits how many hosts run the task at once", async () => {
  expect(await mostAtOnce("")).toBe(1);
  expect(await mostAtOnce("restart_throttle=2")).toBe(2);
  expect(await mostAtOnce("restart_throttle=4")).toBe(4);
});
