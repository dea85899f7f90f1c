/** How every client reaches the apiserver: an external URL, the only master, or each host's local proxy. */
import { describe, expect, it } from "vitest";
import { apiserverAccess, apiserverAccessProblems, urlHostPort, type ApiserverAccessVars, type MastersView } from "../../lib/pki/apiserver-access.js";

function inventory(masters: Record<string, Record<string, unknown>>): MastersView {
  return { groupHosts: (g) => (g === "kube_master" ? Object.keys(masters) : []), hostVars: (h) => masters[h] ?? {} };
}
const defaults: ApiserverAccessVars = { pki_apiserver_url: "", kube_apiserver_port: 6443, kube_apiserver_local_proxy: "auto", kube_apiserver_local_proxy_port: 8443 };
const two = inventory({ m1: { ansible_host: "10.0.0.1" }, m2: { ansible_host: "10.0.0.2", kube_apiserver_address: "10.1.0.2" } });

describe("apiserverAccess", () => {
  it("one master: nodes and the administrator dial it", () => {
    expect(apiserverAccess(defaults, inventory({ m1: { ansible_host: "10.0.0.1" } }))).toEqual({ nodeServer: "https://10.0.0.1:6443", adminServer: "https://10.0.0.1:6443" });
  });

  it("several masters and no load balancer: nodes dial their local proxy, which balances over every master's advertised address", () => {
    expect(apiserverAccess(defaults, two)).toEqual({
      nodeServer: "https://127.0.0.1:8443",
      adminServer: "https://10.0.0.1:6443",
      localProxy: {
        port: 8443,
        backends: [
          { name: "m1", address: "10.0.0.1", port: 6443 },
          { name: "m2", address: "10.1.0.2", port: 6443 },
        ],
      },
    });
  });

  it("a load balancer URL wins over the proxy unless the proxy is forced on", () => {
    const lb = { ...defaults, pki_apiserver_url: "https://k8s.example:443" };
    expect(apiserverAccess(lb, two)).toEqual({ nodeServer: "https://k8s.example:443", adminServer: "https://k8s.example:443" });
    const forced = apiserverAccess({ ...lb, kube_apiserver_local_proxy: "on" }, two);
    expect(forced.nodeServer).toBe("https://127.0.0.1:8443");
    expect(forced.adminServer).toBe("https://k8s.example:443");
  });

  it("nodes dial the address the apiserver advertises; the control machine the one it connects to", () => {
    expect(apiserverAccess(defaults, inventory({ m1: { ansible_host: "203.0.113.1", kube_apiserver_address: "10.1.0.1" } }))).toEqual({ nodeServer: "https://10.1.0.1:6443", adminServer: "https://203.0.113.1:6443" });
    expect(apiserverAccess(defaults, inventory({ m1: {} })).adminServer).toBe("https://m1:6443");
  });

  it("off: nodes dial the first master even with several", () => {
    expect(apiserverAccess({ ...defaults, kube_apiserver_local_proxy: "off" }, two)).toEqual({ nodeServer: "https://10.0.0.1:6443", adminServer: "https://10.0.0.1:6443" });
  });

  it("an IPv6 master is written in brackets, and read back without them", () => {
    const access = apiserverAccess(defaults, inventory({ m1: { ansible_host: "fd00::1" } }));
    expect(access.nodeServer).toBe("https://[fd00::1]:6443");
    expect(urlHostPort(access.nodeServer)).toEqual({ host: "fd00::1", port: 6443 });
  });

  it("no master and no URL is an error naming what to set", () => {
    expect(() => apiserverAccess(defaults, inventory({}))).toThrow(/no kube_master host.*pki_apiserver_url/);
  });
});

describe("apiserverAccessProblems (before any host is touched)", () => {
  it("refuses the proxy on the apiserver's port, but only where the proxy runs", () => {
    const samePort = { ...defaults, kube_apiserver_local_proxy_port: 6443 };
    expect(apiserverAccessProblems(samePort, two)).toEqual([expect.stringMatching(/kube_apiserver_local_proxy_port 6443 is kube_apiserver_port too/)]);
    expect(apiserverAccessProblems(samePort, inventory({ m1: {} }))).toEqual([]);
  });

  it("refuses a URL that is not https", () => {
    expect(apiserverAccessProblems({ ...defaults, pki_apiserver_url: "http://lb:6443" }, two)).toEqual([expect.stringMatching(/must be an https:\/\/ URL/)]);
    expect(apiserverAccessProblems({ ...defaults, pki_apiserver_url: "lb:6443:x" }, two)[0]).toMatch(/https/);
  });

  it("refuses a forced proxy with nothing to balance to", () => {
    expect(apiserverAccessProblems({ ...defaults, kube_apiserver_local_proxy: "on" }, inventory({}))).toEqual([expect.stringMatching(/no kube_master host/)]);
  });
});
