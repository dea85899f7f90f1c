import { describe, expect, it } from "vitest";
import { expandHostPattern, parseAddress } from "../../lib/inventory/host-pattern.js";

describe("host patterns", () => {
  it.each([
    ["node[01:03]", ["node01", "node02", "node03"]],
    ["10.0.0.[1:9:4]", ["10.0.0.1", "10.0.0.5", "10.0.0.9"]],
    ["rack[a:c]-n[1:2]", ["racka-n1", "racka-n2", "rackb-n1", "rackb-n2", "rackc-n1", "rackc-n2"]],
    ["db[:2]", ["db0", "db1", "db2"]],
  ])("expands %s", (pattern, hosts) => {
    expect(expandHostPattern(pattern).hosts).toEqual(hosts);
  });

  it("splits ports from names, IPv4 and bracketed IPv6", () => {
    expect(parseAddress("web1:2222")).toEqual({ host: "web1", port: 2222 });
    expect(parseAddress("10.1.2.3:22")).toEqual({ host: "10.1.2.3", port: 22 });
    expect(parseAddress("[2001:db8::1]:2200")).toEqual({ host: "2001:db8::1", port: 2200 });
    expect(parseAddress("2001:db8::1")).toEqual({ host: "2001:db8::1" });
    expect(parseAddress("node[1:3]:2200")).toEqual({ host: "node[1:3]", port: 2200 });
  });

  it("rejects malformed ranges with a reason", () => {
    expect(() => expandHostPattern("n[01:3]")).toThrow(/equal-length/);
    expect(() => expandHostPattern("n[1:]")).toThrow(/end value/);
    expect(() => expandHostPattern("n[c:a]")).toThrow(/begin <= end/);
  });
});
