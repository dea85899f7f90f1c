import { describe, expect, it } from "vitest";
import { cidrContains, cidrsOverlap, firstAddressOf, ipv4Network, networkContains } from "../../lib/util/ipv4.js";

describe("IPv4 arithmetic (lib/util/ipv4.ts)", () => {
  it("networks and what they contain", () => {
    expect(networkContains(ipv4Network("10.213.0.2/24")!, "10.213.0.254")).toBe(true);
    expect(networkContains(ipv4Network("10.213.0.2/24")!, "10.213.1.1")).toBe(false);
    expect(networkContains(ipv4Network("10.0.0.0/8")!, "10.255.255.255")).toBe(true);
    expect(ipv4Network("10.0.0.0/33")).toBeUndefined();
    expect(ipv4Network("10.0.0.256/8")).toBeUndefined();
    expect(cidrContains("10.254.0.0/16", "10.254.0.2")).toBe(true);
    expect(cidrContains("10.254.0.0/16", "10.68.0.2")).toBe(false);
    // Not IPv4: not judged.
    expect(cidrContains("fd00::/108", "fd00::a")).toBeUndefined();
  });

  it("first addresses: a pod bridge's gateway, the kubernetes service's ClusterIP", () => {
    expect(firstAddressOf("172.30.7.0/24")).toBe("172.30.7.1");
    expect(firstAddressOf("10.96.0.10/12")).toBe("10.96.0.1");
    expect(() => firstAddressOf("172.30.7.0/31")).toThrow("with room for a gateway");
  });

  it("overlapping networks, either way round", () => {
    expect(cidrsOverlap("10.254.0.0/16", "172.30.0.0/16")).toBe(false);
    expect(cidrsOverlap("10.0.0.0/8", "10.254.0.0/16")).toBe(true);
    expect(cidrsOverlap("10.254.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(cidrsOverlap("10.254.0.0/24", "10.254.1.0/24")).toBe(false);
    expect(cidrsOverlap("10.254.0.0/16", "fd00::/108")).toBeUndefined();
  });
});
