/**
 * Two masters and the node-local apiserver proxy, on three lab machines (all three etcd members and
 * nodes), a lab profile's Kubernetes from the bundle (multi-master.test.ts: the current release;
 * multi-master-docker.test.ts: 1.20.2 on Docker), haproxy from Debian's package (the lab offers it
 * from a local repository: it has no mirror):
 * - a cluster of one master gains a second: site.ts converges each time; `kubectl get cs` all
 *   Healthy (etcd listed per member before 1.2x, once now); both apiservers in the kubernetes Service; every node Ready, its joined kubelet and
 *   its kube-proxy moved from the first master to 127.0.0.1:8443, where only haproxy listens, on
 *   127.0.0.1 only;
 * - a re-run reports changed=0; --check changes nothing;
 * - a changed apiserver flag restarts the two apiservers one after the other, the second only once
 *   the first is back, while `kubectl get ns` through a node's proxy keeps answering, every time;
 * - with one apiserver stopped, the cluster stays usable through the other (nodes' proxies, and
 *   root's kubectl on the other master).
 */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { kubeMasterPlaybook } from "../../playbooks/kube-master.js";
import { sitePlaybook } from "../../playbooks/site.js";
import { proxyReturnSeconds } from "../../roles/apiserver-proxy/timing.js";
import { clusterLab } from "../helpers/cluster-lab.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting } from "../helpers/run.js";

const run = promisify(execFile);

/** `profile`: the inventory folder whose group_vars the lab takes (lab, lab-docker); `labName`: the lab's own name. */
export function multiMasterSuite(profile: string, labName: string): void {
  const groupVars = join(import.meta.dirname, "../../inventory", profile, "group_vars");
  const kubeVersion = String((parse(readFileSync(join(groupVars, "all.yml"), "utf8")) as { kube_version: unknown }).kube_version);
  const inventoryDir = mkdtempSync(join(tmpdir(), `ek-${labName}-inventory-`));
  cpSync(groupVars, join(inventoryDir, "group_vars"), { recursive: true });
  const config = labConfig(labName, inventoryDir);
  const pki = join(inventoryDir, ".pki");
  const kubectlBin = join(inventoryDir, ".bundle", "kubernetes", kubeVersion, "amd64", "kubectl");
  let lab: LabUpResult;
  const machines = new LabSsh(() => lab.inventoryFile);
  const names = () => lab.machines.map((m) => m.name);
  const masters = () => names().slice(0, 2);
  const failed = (r: Awaited<ReturnType<typeof runCollecting>>) => JSON.stringify(r.results.filter((x) => x.status === "failed"));

  async function kubectl(args: readonly string[], server?: string): Promise<string> {
    const { stdout } = await run(kubectlBin, ["--kubeconfig", join(pki, "kubeconfig"), ...(server ? ["--server", server] : []), ...args], { timeout: 30_000 });
    return stdout;
  }

  /**
   * The third machine's local proxy (127.0.0.1:8443 there), reachable from here through its SSH
   * connection: kubectl on this side talks to the apiservers exactly as that node's kubelet does.
   */
  async function throughNodeProxy(node: string): Promise<{ server: string; close: () => Promise<void> }> {
    const ssh = machines.connect(node);
    const listener: Server = createServer((socket) => {
      ssh.forwardTcp("127.0.0.1", 8443).then(
        (remote) => {
          socket.pipe(remote).pipe(socket);
          remote.on("error", () => socket.destroy());
          socket.on("error", () => remote.destroy());
        },
        () => socket.destroy(),
      );
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as { port: number }).port;
    // The kubernetes certificate names 127.0.0.1: the client verifies it as the kubelet there does.
    return { server: `https://127.0.0.1:${port}`, close: () => new Promise((resolve) => listener.close(() => resolve())) };
  }

  /** systemd's monotonic timestamps (one clock for every machine: they share the host's kernel). */
  async function apiserverTimes(host: string): Promise<{ stopping: number; ready: number }> {
    const out = (await machines.connect(host).run("systemctl show kube-apiserver -p ActiveExitTimestampMonotonic -p ActiveEnterTimestampMonotonic")).stdout;
    const value = (key: string) => Number(/^(\w+)=(\d+)$/m.exec(out.split("\n").find((l) => l.startsWith(`${key}=`)) ?? "")?.[2] ?? NaN);
    return { stopping: value("ActiveExitTimestampMonotonic"), ready: value("ActiveEnterTimestampMonotonic") };
  }

  const PROBE = "sudo sh -c 'cat /etc/haproxy/haproxy.cfg /etc/kubernetes/*.kubeconfig /etc/systemd/system/kube*.service 2>&1; systemctl is-active haproxy kube-apiserver kubelet kube-proxy'; true";
  const probeAll = () => Promise.all(names().map(async (n) => (await machines.connect(n).run(PROBE)).stdout));

  clusterLab(config, inventoryDir, machines, (booted) => (lab = booted), { masters: 1, packages: ["haproxy"] });

  describe(`two masters behind a local proxy on every node (Kubernetes ${kubeVersion})`, () => {
    it("one master gains a second: components Healthy, both apiservers serving, joined nodes moved to 127.0.0.1:8443", async () => {
      const single = await runCollecting(sitePlaybook, lab.inventoryFile);
      expect(single.exitCode, failed(single)).toBe(0);
      const firstMaster = `https://${lab.machines[0]!.address}:6443`;
      for (const name of names()) expect((await machines.connect(name).run("sudo grep -h 'server:' /etc/kubernetes/kubelet.kubeconfig")).stdout.trim(), name).toBe(`server: ${firstMaster}`);
      // The same machines, the inventory rewritten with two masters (as a user adds one).
      lab = await labUp(config, 3, () => {}, { profile: "docker", masters: 2, packages: ["haproxy"] });
      const first = await runCollecting(sitePlaybook, lab.inventoryFile);
      expect(first.exitCode, failed(first)).toBe(0);
      expect(first.results.filter((r) => r.task === "point kubelet's kubeconfig at the apiserver" && r.status === "changed").map((r) => r.host).sort()).toEqual(names());
      const cs = await kubectl(["get", "componentstatuses", "--no-headers"]);
      const components = cs.trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2));
      expect(components.filter(([, status]) => status !== "Healthy")).toEqual([]);
      expect(components.map(([name]) => name)).toEqual(expect.arrayContaining(["controller-manager", "scheduler", "etcd-0"]));
      // Both apiservers registered themselves in the kubernetes Service (the lease reconciler).
      const endpoints = await kubectl(["get", "endpoints", "kubernetes", "-o", "jsonpath={.subsets[*].addresses[*].ip}"]);
      expect(endpoints.split(" ").sort()).toEqual(lab.machines.slice(0, 2).map((m) => m.address).sort());
      let ready = "";
      for (let i = 0; i < 60; i++) {
        ready = await kubectl(["get", "nodes", "-o", 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']).catch(() => "");
        if (ready.trim().split(" ").filter((n) => n.endsWith("=True")).length === 3) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      expect(ready.trim().split(" ").sort()).toEqual(names().map((n) => `${n}=True`).sort());
      for (const name of names()) {
        const ssh = machines.connect(name);
        const server = await ssh.run("sudo grep -h 'server:' /etc/kubernetes/bootstrap.kubeconfig /etc/kubernetes/kube-proxy.kubeconfig /etc/kubernetes/kubelet.kubeconfig");
        expect(server.stdout.trim().split("\n").map((l) => l.trim()), name).toEqual(Array(3).fill("server: https://127.0.0.1:8443"));
        // Only haproxy holds 8443, and only on 127.0.0.1.
        const listening = await ssh.run("sudo ss -Hltnp 'sport = :8443'");
        expect(listening.stdout.trim().split("\n").map((l) => `${l.trim().split(/\s+/)[3]} ${/users:\(\("([^"]+)"/.exec(l)?.[1]}`), name).toEqual(["127.0.0.1:8443 haproxy"]);
        // kubelet's and kube-proxy's own connections to the API go through it (both restarted onto it).
        const clients = await ssh.run("sudo ss -Htnp state established '( dport = :8443 )'");
        expect(clients.stdout, name).toMatch(/"kubelet"/);
        expect(clients.stdout, name).toMatch(/"kube-proxy"/);
      }
    }, 900_000);

    it("a re-run reports changed=0, and --check on the cluster changes nothing", async () => {
      const again = await runCollecting(sitePlaybook, lab.inventoryFile);
      expect(again.exitCode, failed(again)).toBe(0);
      expect(again.results.filter((r) => r.status === "changed").map((r) => `${r.host} ${r.task}`)).toEqual([]);
      const before = await probeAll();
      const checked = await runCollecting(sitePlaybook, lab.inventoryFile, { check: true });
      expect(checked.exitCode, failed(checked)).toBe(0);
      expect(checked.results.filter((r) => r.status === "changed")).toEqual([]);
      expect(await probeAll()).toEqual(before);
    }, 600_000);

    it("a changed apiserver flag restarts the masters one at a time while kubectl keeps answering through a node's proxy", async () => {
      const proxy = await throughNodeProxy(names()[2]!);
      const started = await Promise.all(masters().map(apiserverTimes));
      const answers: string[] = [];
      let running = true;
      const asking = (async () => {
        while (running) {
          answers.push(await kubectl(["get", "ns", "default", "-o", "name", "--request-timeout=10s"], proxy.server).then((out) => out.trim(), (e: Error & { stderr?: string }) => `error: ${e.stderr ?? e.message}`));
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      writeFileSync(join(inventoryDir, "group_vars", "kube_master.yml"), "kube_event_ttl: 2h\n");
      const changed = await runCollecting(kubeMasterPlaybook, lab.inventoryFile);
      running = false;
      await asking;
      await proxy.close();
      expect(changed.exitCode, failed(changed)).toBe(0);
      expect(changed.results.filter((r) => r.task === "restart kube-apiserver one master at a time" && r.status === "changed").map((r) => r.host).sort()).toEqual(masters().sort());
      // Every answer, before, during and after both restarts, came through the proxy.
      expect(answers.length).toBeGreaterThan(20);
      expect(answers.filter((a) => a !== "namespace/default")).toEqual([]);
      // Both restarted, and the second stopped only after the first was ready again.
      const after = await Promise.all(masters().map(apiserverTimes));
      after.forEach((t, i) => expect(t.ready).toBeGreaterThan(started[i]!.ready));
      const [early, late] = after[0]!.stopping < after[1]!.stopping ? [after[0]!, after[1]!] : [after[1]!, after[0]!];
      // systemd counts the apiserver started when it listens; the next stops only once the first was
      // ready and every proxy had the checks to take it back ((rise + 1) x interval = 6 s).
      expect(late.stopping - early.ready).toBeGreaterThanOrEqual(proxyReturnSeconds({ apiserver_proxy_check_interval: 2, apiserver_proxy_check_fall: 2, apiserver_proxy_check_rise: 2 }) * 1e6);
      for (const m of masters()) expect((await machines.connect(m).run("systemctl cat kube-apiserver")).stdout).toContain("--event-ttl=2h");
    }, 600_000);

    it("with one apiserver stopped, the cluster stays usable through the other", async () => {
      const [down, up] = masters() as [string, string];
      const proxy = await throughNodeProxy(names()[2]!);
      try {
        await machines.connect(down).run("sudo systemctl stop kube-apiserver");
        // Through the node's proxy (as its kubelet), at once and after the proxies took it out.
        for (let i = 0; i < 3; i++) {
          expect(await kubectl(["get", "ns", "default", "-o", "name"], proxy.server)).toBe("namespace/default\n");
          await kubectl(["-n", "default", "create", "configmap", `ek-ha-${i}`, "--from-literal=k=v"], proxy.server);
          expect(await kubectl(["-n", "default", "get", "configmap", `ek-ha-${i}`, "-o", "jsonpath={.data.k}"], proxy.server)).toBe("v");
          await new Promise((r) => setTimeout(r, 3000));
        }
        // The controllers run on (the leader may move to the master whose apiserver answers): a Deployment gets its pods.
        await kubectl(["-n", "default", "create", "deployment", "ek-ha", "--image=busybox:1.35", "--", "sleep", "3600"], proxy.server);
        let available = "";
        for (let i = 0; i < 60 && available !== "1"; i++) {
          available = await kubectl(["-n", "default", "get", "deployment", "ek-ha", "-o", "jsonpath={.status.availableReplicas}"], proxy.server);
          if (available !== "1") await new Promise((r) => setTimeout(r, 2000));
        }
        expect(available).toBe("1");
        // Root's kubectl on the other master asks that master's own apiserver.
        expect((await machines.connect(up).run("sudo kubectl get ns default -o name")).stdout).toBe("namespace/default\n");
        // The other master's apiserver, asked directly, is the one answering.
        const upAddress = lab.machines.find((m) => m.name === up)!.address;
        expect(await kubectl(["get", "--raw", "/readyz"], `https://${upAddress}:6443`)).toBe("ok");
      } finally {
        await proxy.close();
        await machines.connect(down).run("sudo systemctl start kube-apiserver");
      }
    }, 600_000);
  });
}
