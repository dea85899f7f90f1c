/** etcd's heartbeat and election timeout, checked together before any host is touched. */
import { describe, expect, it } from "vitest";
import { etcdRole } from "../../roles/etcd/index.js";
import { timingProblems } from "../../roles/etcd/timing.js";

const unused = () => {
  throw new Error("this check reads no other host");
};

describe("etcd timing flags", () => {
  it("refuses a heartbeat the default election timeout cannot carry (the role README's old example), naming the fix", () => {
    expect(timingProblems({ "heartbeat-interval": 250 })).toEqual([
      "etcd_extra_flags: election-timeout 1000 ms must be at least 5 times heartbeat-interval 250 ms (etcd refuses to start otherwise); set election-timeout to 1250 or more",
    ]);
    expect(timingProblems({ "heartbeat-interval": 250, "election-timeout": 2500 })).toEqual([]);
    expect(timingProblems({ "--election-timeout": "60000" })).toEqual(["etcd_extra_flags: election-timeout 60000 ms is above etcd's limit of 50000 ms"]);
    expect(timingProblems({ "heartbeat-interval": "fast" })).toEqual(["etcd_extra_flags heartbeat-interval: fast is not a positive number of milliseconds"]);
    expect(timingProblems({})).toEqual([]);
  });

  it("is one of the role's checks, per host", () => {
    const inventory = { groupHosts: () => ["e1"], hostVars: () => ({}), groupNames: () => ["etcd"] };
    const problems = etcdRole.checks!.flatMap((check) => check({ hosts: ["e1"], inventory, vars: () => ({ etcd_extra_flags: { "heartbeat-interval": 300 }, install_method: "packages" }), varsOf: unused }));
    expect(problems).toContain("e1: etcd_extra_flags: election-timeout 1000 ms must be at least 5 times heartbeat-interval 300 ms (etcd refuses to start otherwise); set election-timeout to 1500 or more");
  });
});
