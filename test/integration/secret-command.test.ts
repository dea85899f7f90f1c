/**
 * command({ secret: true }) keeps its text and its output out of what a run reports: the changes
 * (also in check mode), the failure message, and the events, on a real host over SSH.
 */
import { describe, expect, inject, it } from "vitest";
import { command } from "../../lib/ops/command.js";
import { definePlaybook } from "../../lib/runner/types.js";
import { sshdInventory } from "../helpers/inventory.js";
import { runCollecting } from "../helpers/run.js";

const sshd = inject("sshd");
const SECRET = "https://discovery.example/3e86b59982e49066c5d813af1c2e2579";

const playbook = definePlaybook({
  name: "secret command",
  plays: [
    {
      name: "secret command",
      hosts: "all",
      gatherFacts: false,
      tasks: [
        { name: "uses a secret", action: () => command({ cmd: `echo ${SECRET} >/dev/null`, secret: true }) },
        { name: "fails with a secret", action: () => command({ cmd: `echo ${SECRET}; echo ${SECRET} >&2; exit 3`, secret: true }) },
      ],
    },
  ],
});

describe("command({ secret: true })", () => {
  const { file } = sshdInventory(sshd, { all_hosts: ["target"] });

  it("shows neither the command nor its output, in changes, failures and events", async () => {
    const run = await runCollecting(playbook, file);
    expect(run.results.map((r) => `${r.task}:${r.status}`)).toEqual(["uses a secret:changed", "fails with a secret:failed"]);
    expect(run.results[0]!.changes).toEqual(["run: (hidden: the command handles secrets)"]);
    expect(run.results[1]!.message).toMatch(/^command failed \(rc=3\): \(hidden: the command handles secrets\)/);
    expect(JSON.stringify(run.events)).not.toContain("3e86b59982e49066c5d813af1c2e2579");
  });

  it("in check mode too", async () => {
    const run = await runCollecting(playbook, file, { check: true });
    expect(run.results.map((r) => r.changes)).toEqual([["run: (hidden: the command handles secrets)"], ["run: (hidden: the command handles secrets)"]]);
    expect(JSON.stringify(run.events)).not.toContain("3e86b59982e49066c5d813af1c2e2579");
  });
});
