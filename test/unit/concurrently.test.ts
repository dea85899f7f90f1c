/**
 * concurrently: independent operations planned at once and applied at once, reported as one (their
 * changes and diffs together); one failing still lets the others finish, then every failure is
 * reported (a lost connection first) and the host's facts are forgotten.
 */
import { describe, expect, it } from "vitest";
import { UnreachableError } from "../../lib/connection/types.js";
import { concurrently } from "../../lib/ops/concurrently.js";
import type { Operation, Target } from "../../lib/ops/operation.js";

let invalidated = 0;
const target = { name: "h1", connection: undefined, facts: { invalidate: () => invalidated++ }, diff: false, check: false } as unknown as Target;

/** An operation that takes `ms` to plan and to apply, and notes when each started and ended. */
function timed(name: string, ms: number, timeline: string[], options: { change?: boolean; fail?: boolean | Error } = {}): Operation {
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    title: name,
    async plan() {
      timeline.push(`plan ${name}`);
      await pause();
      timeline.push(`planned ${name}`);
      if (options.change === false) return { changes: [] };
      return {
        changes: [`update ${name}`],
        diffs: [{ path: name, before: "a", after: "b" }],
        async apply() {
          timeline.push(`apply ${name}`);
          await pause();
          if (options.fail) throw options.fail instanceof Error ? options.fail : new Error(`${name} failed`);
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
    expect(timeline.slice(3).sort()).toEqual(["planned a", "planned b", "planned c"]);
    timeline.length = 0;
    await plan.apply!();
    expect(timeline.slice(0, 2)).toEqual(["apply a", "apply b"]);
    expect(timeline.slice(2).sort()).toEqual(["applied a", "applied b"]);
  });

  it("reports no change and no apply when nothing differs", async () => {
    const plan = await concurrently("files", [timed("a", 1, [], { change: false })]).plan(target);
    expect(plan.changes).toEqual([]);
    expect(plan.apply).toBeUndefined();
  });

  it("lets the others finish when one fails, then reports every failure and forgets the host's facts", async () => {
    const timeline: string[] = [];
    const before = invalidated;
    const plan = await concurrently("files", [timed("bad", 5, timeline, { fail: true }), timed("slow", 60, timeline), timed("worse", 5, timeline, { fail: true })]).plan(target);
    await expect(plan.apply!()).rejects.toThrow("bad failed (and 1 more: worse failed)");
    expect(timeline).toContain("applied slow");
    expect(invalidated).toBe(before + 1); // "slow" changed the host although the task failed
  });

  it("reports an error shared by several operations once (the files of one upload script)", async () => {
    const shared = new Error("write /a, /b: folder /x does not exist");
    const plan = await concurrently("files", [timed("a", 5, [], { fail: shared }), timed("b", 5, [], { fail: shared }), timed("c", 5, [], { fail: true })]).plan(target);
    await expect(plan.apply!()).rejects.toThrow("write /a, /b: folder /x does not exist (and 1 more: c failed)");
  });

  it("reports a lost connection before the failures it caused", async () => {
    const lost = new UnreachableError("h1", "the SSH connection to h1 was lost");
    const plan = await concurrently("files", [timed("bad", 5, [], { fail: true }), timed("cut", 5, [], { fail: lost })]).plan(target);
    await expect(plan.apply!()).rejects.toBe(lost);
  });
});
