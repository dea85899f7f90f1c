/**
 * The host-routes network stage on three lab machines, before kubelet exists: the control plane
 * from the bundle (prepare, PKI, etcd, kube-master with 1.20.2), and a Node object per machine
 * made through the API as kubelet would register it, so the controller-manager allocates the pod
 * CIDRs. Then playbooks/network.ts, with the CNI plugins run by hand as kubelet would run them:
 * - --check on the fresh nodes changes nothing;
 * - each node routes the others' pod CIDRs through their addresses (proto 147), has its conflist,
 *   the FORWARD and masquerade rules and the boot-time unit (active, systemd-analyze verify);
 * - a "pod" (a network namespace wired by the bridge plugin from the conflist) on one node reaches
 *   a pod on another by its IP;
 * - a re-run reports changed=0, --check changes nothing;
 * - a route someone else made to a pod CIDR fails the run naming it, and stays; once removed, the
 *   next run restores easy-kube's route (decided from the routing table);
 * - a node whose address is off the segment fails every node before anything changes;
 * - a node removed from the inventory has its routes removed on the others.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleCommand } from "../../lib/cli/bundle-command.js";
import { adminCredentials } from "../../lib/kube/credentials.js";
import { KubeApiClient } from "../../lib/kube/api-client.js";
import { directEndpoint } from "../../lib/kube/endpoint.js";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { definePlaybook } from "../../lib/runner/types.js";
import { etcdPlaybook } from "../../playbooks/etcd.js";
import { kubeMasterPlaybook } from "../../playbooks/kube-master.js";
import { networkPlaybook } from "../../playbooks/network.js";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { preparePlaybook } from "../../playbooks/prepare.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting } from "../helpers/run.js";

const inventoryDir = mkdtempSync(join(tmpdir(), "ek-hroutes-inventory-"));
cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("hroutes", inventoryDir);
let lab: LabUpResult;
let api: KubeApiClient;
const machines = new LabSsh(() => lab.inventoryFile);
const podCidrs = new Map<string, string>();

const controlPlane = definePlaybook({ name: "control plane", plays: [...preparePlaybook.plays, ...pkiPlaybook.plays, ...etcdPlaybook.plays, ...kubeMasterPlaybook.plays] });
/** No kubelet runs here, so no node ever reports Ready: the stage's final wait (role network-ready) is skipped. */
const NO_KUBELET = { tags: { only: ["all"], skip: ["network-ready"] } };
const failures = (run: { results: { status: string }[] }) => JSON.stringify(run.results.filter((r) => r.status === "failed"));
const sh = async (host: string, command: string) => (await machines.connect(host).run(command)).stdout;
const PROBE = "ip -4 route show; ls /etc/cni/net.d /opt/cni/bin 2>&1; iptables -S FORWARD; iptables -t nat -S POSTROUTING; systemctl is-active easy-kube-pod-network; true";

beforeAll(async () => {
  await labDown(config);
  lab = await labUp(config, 3, () => {}, { profile: "docker" });
  expect(await bundleCommand(["-i", lab.inventoryFile, "--components", "etcd,kubernetes,cni"], () => {})).toBe(0);
  const plane = await runCollecting(controlPlane, lab.inventoryFile);
  expect(plane.exitCode, failures(plane)).toBe(0);
  api = new KubeApiClient(directEndpoint(`https://${lab.machines[0]!.address}:6443`, adminCredentials(join(inventoryDir, ".pki"))));
  for (const m of lab.machines) {
    await api.expectOk("POST", "/api/v1/nodes", { body: { apiVersion: "v1", kind: "Node", metadata: { name: m.name }, status: { addresses: [{ type: "InternalIP", address: m.address }] } } });
  }
  for (let tries = 0; podCidrs.size < lab.machines.length && tries < 60; tries++) {
    for (const item of (await api.expectOk("GET", "/api/v1/nodes")).items) if (item.spec.podCIDR) podCidrs.set(item.metadata.name, item.spec.podCIDR);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  expect(podCidrs.size).toBe(3);
}, 900_000);

afterAll(async () => {
  api?.close();
  await machines.closeAll();
  await labDown(config);
  rmSync(inventoryDir, { recursive: true, force: true });
});

/** A network namespace wired by the node's own conflist, as kubelet runs the chain's first plugin: the pod's address. */
async function startPod(host: string): Promise<string> {
  const conflist = JSON.parse(await sh(host, "cat /etc/cni/net.d/10-host-routes.conflist"));
  const bridge = { cniVersion: conflist.cniVersion, name: conflist.name, ...conflist.plugins[0] };
  const out = await sh(host, `ip netns add pod && CNI_COMMAND=ADD CNI_CONTAINERID=pod CNI_NETNS=/var/run/netns/pod CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin /opt/cni/bin/bridge <<'EOF'\n${JSON.stringify(bridge)}\nEOF`);
  return (JSON.parse(out).ips[0].address as string).split("/")[0]!;
}

describe("host-routes on the lab", () => {
  it("--check on nodes without a network changes nothing", async () => {
    const before = await Promise.all(lab.machines.map((m) => sh(m.name, PROBE)));
    const checked = await runCollecting(networkPlaybook, lab.inventoryFile, { ...NO_KUBELET, check: true });
    expect(checked.exitCode, failures(checked)).toBe(0);
    expect(await Promise.all(lab.machines.map((m) => sh(m.name, PROBE)))).toEqual(before);
  }, 300_000);

  it("routes every other node's pod CIDR through its address; conflist, rules and unit in place", async () => {
    const first = await runCollecting(networkPlaybook, lab.inventoryFile, NO_KUBELET);
    expect(first.exitCode, failures(first)).toBe(0);
    for (const m of lab.machines) {
      const others = lab.machines.filter((o) => o.name !== m.name);
      expect((await sh(m.name, "ip -4 route show proto 147")).trim().split("\n").map((l) => l.trim()).sort()).toEqual(others.map((o) => `${podCidrs.get(o.name)} via ${o.address} dev host0`).sort());
      expect(JSON.parse(await sh(m.name, "cat /etc/cni/net.d/10-host-routes.conflist")).plugins[0].ipam.subnet).toBe(podCidrs.get(m.name));
      expect(await sh(m.name, "ls /opt/cni/bin")).toBe("bridge\nhost-local\nloopback\nportmap\n");
      expect(await sh(m.name, "iptables -C FORWARD -s 172.30.0.0/16 -m comment --comment easy-kube-pod-network -j ACCEPT && iptables -t nat -C POSTROUTING -s 172.30.0.0/16 ! -d 172.30.0.0/16 -m comment --comment easy-kube-pod-network -j MASQUERADE && echo present")).toBe("present\n");
      expect(await sh(m.name, "systemctl is-active easy-kube-pod-network; systemd-analyze verify easy-kube-pod-network.service 2>&1 && echo verified")).toBe("active\nverified\n");
    }
  }, 300_000);

  it("a pod on one node reaches a pod on another by its IP", async () => {
    const [, second, third] = lab.machines;
    const podB = await startPod(second!.name);
    const podC = await startPod(third!.name);
    expect(podB.startsWith(podCidrs.get(second!.name)!.replace(/0\/24$/, ""))).toBe(true);
    expect(await sh(second!.name, `ip netns exec pod ping -c 2 -W 2 ${podC} >/dev/null && echo reached`)).toBe("reached\n");
    expect(await sh(third!.name, `ip netns exec pod ping -c 2 -W 2 ${podB} >/dev/null && echo reached`)).toBe("reached\n");
  }, 120_000);

  it("a re-run reports changed=0 and --check changes nothing", async () => {
    const again = await runCollecting(networkPlaybook, lab.inventoryFile, NO_KUBELET);
    expect(again.exitCode, failures(again)).toBe(0);
    expect(Object.values(again.stats).map((s) => s.changed)).toEqual([0, 0, 0]);
    const before = await Promise.all(lab.machines.map((m) => sh(m.name, PROBE)));
    const checked = await runCollecting(networkPlaybook, lab.inventoryFile, { ...NO_KUBELET, check: true });
    expect(Object.values(checked.stats).map((s) => s.changed)).toEqual([0, 0, 0]);
    expect(await Promise.all(lab.machines.map((m) => sh(m.name, PROBE)))).toEqual(before);
  }, 300_000);

  it("someone else's route to a pod CIDR is named and left alone; once gone, easy-kube's route comes back", async () => {
    const [first, second, third] = lab.machines;
    const cidr = podCidrs.get(second!.name)!;
    await sh(first!.name, `ip route del ${cidr} proto 147 && ip route add ${cidr} via ${third!.address} dev host0`);
    const refused = await runCollecting(networkPlaybook, lab.inventoryFile, NO_KUBELET);
    expect(refused.exitCode).toBe(2);
    expect(refused.results.find((r) => r.status === "failed")?.message).toContain(`'${cidr} via ${third!.address} dev host0'`);
    expect(await sh(first!.name, `ip -4 route show ${cidr}`)).toBe(`${cidr} via ${third!.address} dev host0 \n`);
    await sh(first!.name, `ip route del ${cidr}`);
    const repaired = await runCollecting(networkPlaybook, lab.inventoryFile, NO_KUBELET);
    expect(repaired.exitCode, failures(repaired)).toBe(0);
    expect(await sh(first!.name, `ip -4 route show ${cidr}`)).toBe(`${cidr} via ${second!.address} dev host0 proto 147 \n`);
  }, 300_000);

  it("a node whose address is off the segment fails every node before anything changes", async () => {
    const third = lab.machines[2]!;
    const patch = (address: string) => api.expectOk("PATCH", `/api/v1/nodes/${third.name}/status`, { body: { status: { addresses: [{ type: "InternalIP", address }] } }, contentType: "application/strategic-merge-patch+json" });
    await patch("10.99.0.5");
    await sh(lab.machines[0]!.name, "rm /etc/cni/net.d/10-host-routes.conflist");
    const before = await Promise.all(lab.machines.map((m) => sh(m.name, PROBE)));
    const refused = await runCollecting(networkPlaybook, lab.inventoryFile, NO_KUBELET);
    expect(refused.exitCode).toBe(2);
    const messages = refused.results.filter((r) => r.status === "failed").map((r) => r.message).join("\n");
    expect(messages).toMatch(new RegExp(`node ${third.name} \\(10\\.99\\.0\\.5\\) is not on node \\S+'s segment`));
    expect(messages).toContain(`node ${third.name}: its registered address 10.99.0.5 is on none of its interfaces`);
    expect(await Promise.all(lab.machines.map((m) => sh(m.name, PROBE)))).toEqual(before);
    await patch(third.address);
    const restored = await runCollecting(networkPlaybook, lab.inventoryFile, NO_KUBELET);
    expect(restored.exitCode, failures(restored)).toBe(0);
  }, 300_000);

  it("a node removed from the inventory has its routes removed on the others", async () => {
    const removed = lab.machines[2]!;
    const smaller = join(inventoryDir, "hosts-without-last-node");
    writeFileSync(smaller, readFileSync(lab.inventoryFile, "utf8").replace(/(\[kube_node\]\n(?:\S+\n)*)/, (group) => group.replace(`${removed.name}\n`, "")));
    const run = await runCollecting(networkPlaybook, smaller, NO_KUBELET);
    expect(run.exitCode, failures(run)).toBe(0);
    for (const m of lab.machines.slice(0, 2)) {
      const routes = await sh(m.name, "ip -4 route show proto 147");
      expect(routes).not.toContain(podCidrs.get(removed.name)!);
      expect(routes.trim().split("\n")).toHaveLength(1);
      expect(await sh(m.name, "cat /etc/systemd/system/easy-kube-pod-network.service")).not.toContain(podCidrs.get(removed.name)!);
    }
  }, 300_000);
});
