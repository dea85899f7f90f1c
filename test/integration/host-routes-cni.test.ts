/**
 * The CNI configs host-routes renders, run by the real plugins (Debian's containernetworking-plugins
 * 1.1.1, the lab's bundle) the way kubelet's CNI library runs a configuration list: bridge, then
 * portmap with the bridge's result, for spec 0.4.0 (kubelet 1.20) and 0.3.1 (kubelet 1.7). All of
 * it inside two network namespaces of their own ("node" and "pod"), so this machine's network is
 * untouched: the pod gets the pod CIDR's second address and a default route through the bridge,
 * the bridge holds the gateway, the pod's port on the bridge is in hairpin mode, and portmap adds
 * its hostPort chain.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cniConfig } from "../../roles/host-routes/cni-config.js";

const PLUGINS = "/usr/lib/cni";
const NODE_NS = `ek-cni-node-${process.pid}`;
const POD_NS = `ek-cni-pod-${process.pid}`;
const dataDir = mkdtempSync(join(tmpdir(), "ek-cni-ipam-"));

function inNode(...command: string[]): string {
  return execFileSync("ip", ["netns", "exec", NODE_NS, ...command], { encoding: "utf8" });
}

/** One plugin call, as libcni makes it: the list's name and cniVersion merged into the plugin's config. */
function callPlugin(command: "ADD" | "DEL", conflist: any, plugin: any, extra: Record<string, unknown> = {}): any {
  const config = { cniVersion: conflist.cniVersion, name: conflist.name, ...plugin, ...extra };
  const result = spawnSync("ip", ["netns", "exec", NODE_NS, join(PLUGINS, plugin.type)], {
    input: JSON.stringify(config),
    encoding: "utf8",
    env: { ...process.env, CNI_COMMAND: command, CNI_CONTAINERID: "pod1", CNI_NETNS: `/var/run/netns/${POD_NS}`, CNI_IFNAME: "eth0", CNI_PATH: PLUGINS },
  });
  if (result.status !== 0) throw new Error(`${plugin.type} ${command} failed (${result.status}): ${result.stdout}${result.stderr}`);
  return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
}

/** A TCP connection from the pod to a server on the node's bridge address (this machine has no ping). */
async function podReachesNode(address: string): Promise<string> {
  const server = spawn("ip", ["netns", "exec", NODE_NS, process.execPath, "-e", `require("net").createServer((c) => c.end()).listen(18080, "${address}", () => console.log("listening"))`]);
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.on("data", () => resolve());
      server.on("exit", (code) => reject(new Error(`the server in the node namespace exited with ${code}`)));
    });
    const client = spawnSync("ip", ["netns", "exec", POD_NS, process.execPath, "-e", `require("net").connect(18080, "${address}", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log(e.message); process.exit(1); })`], { encoding: "utf8", timeout: 10_000 });
    return client.stdout.trim();
  } finally {
    server.kill();
  }
}

describe.skipIf(!existsSync(join(PLUGINS, "bridge")) || process.getuid?.() !== 0)("host-routes CNI config with the real plugins", () => {
  beforeAll(() => {
    execFileSync("ip", ["netns", "add", NODE_NS]);
    execFileSync("ip", ["netns", "add", POD_NS]);
  });
  afterAll(() => {
    spawnSync("ip", ["netns", "del", POD_NS]);
    spawnSync("ip", ["netns", "del", NODE_NS]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [kubeVersion, podCidr] of [["1.20.2", "172.30.1.0/24"], ["1.7.11", "172.30.3.0/24"]] as const) {
    it(`kubelet ${kubeVersion}: the pod is wired to the bridge, portmap accepts the chain`, async () => {
      const conflist = JSON.parse(cniConfig({ kubeVersion, cniVersion: "1.1.1", podCidr, bridge: "cni0" }));
      const [bridge, portmap] = conflist.plugins;
      // Only the IPAM store moves (host-local's dataDir), so the test leaves nothing in /var/lib/cni.
      const bridgeConf = { ...bridge, ipam: { ...bridge.ipam, dataDir } };
      const gateway = podCidr.replace(/0\/24$/, "1");
      const podAddress = podCidr.replace(/0\/24$/, "2");

      const result = callPlugin("ADD", conflist, bridgeConf);
      expect(result.cniVersion).toBe(conflist.cniVersion);
      expect(result.ips[0].address).toBe(`${podAddress}/24`);
      expect(result.ips[0].gateway).toBe(gateway);
      callPlugin("ADD", conflist, portmap, { prevResult: result, runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }] } });

      expect(inNode("ip", "-4", "-o", "addr", "show", "cni0")).toContain(`inet ${gateway}/24`);
      expect(execFileSync("ip", ["netns", "exec", POD_NS, "ip", "-4", "route", "show", "default"], { encoding: "utf8" })).toContain(`default via ${gateway} dev eth0`);
      const hostPort = result.interfaces.find((i: any) => !i.sandbox && i.name !== "cni0").name;
      expect(inNode("cat", `/sys/class/net/${hostPort}/brport/hairpin_mode`).trim()).toBe("1");
      expect(inNode("iptables", "-t", "nat", "-S")).toContain("CNI-HOSTPORT-DNAT");
      expect(await podReachesNode(gateway)).toBe("connected");

      callPlugin("DEL", conflist, portmap, { prevResult: result, runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }] } });
      callPlugin("DEL", conflist, bridgeConf);
      expect(execFileSync("ip", ["netns", "exec", POD_NS, "ip", "-o", "link"], { encoding: "utf8" })).not.toContain("eth0");
      inNode("ip", "link", "del", "cni0");
    });
  }
});
