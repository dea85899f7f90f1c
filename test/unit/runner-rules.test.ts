/** Pure rules of the runner: tags, serial batches. */
import { describe, expect, it } from "vitest";
import { serialBatches } from "../../lib/runner/serial.js";
import { shouldRunTask } from "../../lib/runner/tags.js";

describe("tags follow Ansible", () => {
  const run = (tags: string[], only: string[] = ["all"], skip: string[] = []) => shouldRunTask(tags, { only, skip });
  it("runs everything by default except never", () => {
    expect(run([])).toBe(true);
    expect(run(["etcd"])).toBe(true);
    expect(run(["never"])).toBe(false);
  });
  it("selects by tag, role name tags and the tagged/untagged words", () => {
    expect(run(["etcd"], ["etcd"])).toBe(true);
    expect(run(["docker"], ["etcd"])).toBe(false);
    expect(run([], ["untagged"])).toBe(true);
    expect(run(["x"], ["untagged"])).toBe(false);
    expect(run(["x"], ["tagged"])).toBe(true);
  });
  it("always runs unless always is skipped; never runs only when asked", () => {
    expect(run(["always"], ["etcd"])).toBe(true);
    expect(run(["always"], ["all"], ["always"])).toBe(false);
    expect(run(["never", "debug"], ["debug"])).toBe(true);
    expect(run(["never", "debug"], ["all"])).toBe(false);
  });
  it("skip-tags wins over tags", () => {
    expect(run(["etcd"], ["etcd"], ["etcd"])).toBe(false);
    expect(run(["etcd", "certs"], ["all"], ["certs"])).toBe(false);
  });
});

describe("serial batches", () => {
  const hosts = ["a", "b", "c", "d", "e"];
  it("splits by count, percentage and lists whose last size repeats", () => {
    expect(serialBatches(hosts, undefined)).toEqual([hosts]);
    expect(serialBatches(hosts, 2)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(serialBatches(hosts, "40%")).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(serialBatches(hosts, [1, "50%"])).toEqual([["a"], ["b", "c"], ["d", "e"]]);
    expect(serialBatches(hosts, "10%")).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
  });
  it("rejects what is not a size", () => {
    expect(() => serialBatches(hosts, "half")).toThrow(/number or a percentage/);
  });
});
