/**
 * concurrently: independent operations planned at once and applied at once, reported as one (their
 * changes and diffs together); one failing still lets the others finish, then the failure is
 * reported.
 */
import { describe, expect, it } from "vitest";
import { concurrently } from "../../lib/ops/concurrently.js";
import type { Operation, Target } from "../../lib/ops/operation.js";

const target = { name: "h1", connection: undefined, facts: undefined, diff: false, check: false } as unknown as Target;

/** An operation that takes `ms` to plan and to apply, and notes when each started and ended. */
function timed(name: string, ms: number, timeline: string[], options: { change?: boolean; fail?: boolean } = {}): Operation {
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    title: name,
    async plan() {
      timeline.push(`plan ${name}`);
      await pause();
      if (options.change === false) return { changes: [] };
      return {
        changes: [`update ${name}`],
        diffs: [{ path: name, before: "a", after: "b" }],
        async apply() {
          timeline.push(`apply ${name}`);
          await pause();
          if (options.fail) throw new Error(`${name} failed`);
          timeline.push(`applied ${name}`);
        },
      };
    },
  };
}

describe("concurrently", () => {
  it("plans and applies every operation at once, reporting their changes together", async () => {
    const timeline: string[] = [];
    const op = concurrently("files", [timed("a", 40, timeline), timed("b", 40, timeline), timed("c", 40, timeline, { change: false })]);
    const plan = await op.plan(target);
    expect(plan.changes).toEqual(["update a", "update b"]);
    expect(plan.diffs?.map((d) => d.path)).toEqual(["a", "b"]);
    expect(timeline.slice(0, 3)).toEqual(["plan a", "plan b", "plan c"]); // all started before any finished
    await plan.apply!();
    expect(timeline.slice(3, 5)).toEqual(["apply a", "apply b"]);
    expect(timeline.slice(5).sort()).toEqual(["applied a", "applied b"]);
  });

  it("reports no change and no apply when nothing differs", async () => {
    const plan = await concurrently("files", [timed("a", 1, [], { change: false })]).plan(target);
    expect(plan.changes).toEqual([]);
    expect(plan.apply).toBeUndefined();
  });

  it("lets the others finish when one fails, then reports the failure", async () => {
    const timeline: string[] = [];
    const plan = await concurrently("files", [timed("bad", 5, timeline, { fail: true }), timed("slow", 60, timeline)]).plan(target);
    await expect(plan.apply!()).rejects.toThrow("bad failed");
    expect(timeline).toContain("applied slow");
  });
});
