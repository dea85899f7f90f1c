/**
 * The current release on three fresh lab machines (inventory/lab's profile: Kubernetes 1.37.2 on
 * containerd 2.4.2 with etcd 3.7.4, runc, crictl and the CNI plugins, every program built from its
 * released Go module, images built without a registry), checked from the control machine with the
 * kubectl built with it:
 * - --check on fresh machines changes nothing;
 * - the control plane ready (/readyz, `get cs`); two certificate requests anyone holding the
 *   bootstrap token could make stay pending while the real nodes join;
 * - every node Ready under its inventory name, running v1.37.2 on containerd, the master labelled
 *   and tainted control-plane; on cgroup v1 hosts; beyond 127.0.0.1 only TLS listens;
 * - pods on every node from the bundled image: logs, exec, pod to pod across nodes, a ClusterIP
 *   Service from a pod and from a node, a pod reaching itself through its Service, a NodePort from
 *   the control machine, the pods' resolv.conf;
 * - the cluster DNS: Service names (the namespace's search path too), a pod's own A record and none
 *   for an address no pod has; CoreDNS not root, its account read-only; dns_mode none removes
 *   every object of the add-on, and a run with CoreDNS again brings it back;
 * - a containerd restart leaves the pods running;
 * - a re-run reports changed=0, and --check on the cluster changes nothing.
 */
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parse } from "yaml";

import { labConfig } from "../../lib/lab/lab-config.js";
import type { LabUpResult } from "../../lib/lab/lab.js";
import { dnsPlaybook } from "../../playbooks/dns.js";
import { sitePlaybook } from "../../playbooks/site.js";
import { askHostname, deployWeb, kubectlFor, rogueRequest, type WebPod } from "../helpers/cluster.js";
import { checkChangesNothing, clusterLab } from "../helpers/cluster-lab.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting } from "../helpers/run.js";

const run = promisify(execFile);
const profile = join(import.meta.dirname, "../../inventory/lab/group_vars");
const versions = parse(readFileSync(join(profile, "all.yml"), "utf8")) as { kube_version: string; containerd_version: string };
const inventoryDir = mkdtempSync(join(tmpdir(), "ek-current-inventory-"));
cpSync(profile, join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("current", inventoryDir);
const pki = join(inventoryDir, ".pki");
const kubectlBin = join(inventoryDir, ".bundle", "kubernetes", versions.kube_version, "amd64", "kubectl");
const kubectl = kubectlFor(kubectlBin, pki);
let lab: LabUpResult;
const machines = new LabSsh(() => lab.inventoryFile);
const names = () => lab.machines.map((m) => m.name);
const sh = async (host: string, command: string) => (await machines.connect(host).run(command)).stdout;

/** What --check must leave alone on a host. */
const PROBE =
  "ls -la --time-style=full-iso /etc/kubernetes /etc/kubernetes/ssl /etc/containerd /etc/containerd/certs.d /etc/crictl.yaml /var/lib/kubelet/pki /etc/cni/net.d /usr/local/bin 2>&1 | grep -v '^total '; cat /etc/systemd/system/kube*.service /etc/systemd/system/containerd.service /etc/containerd/config.toml /etc/kubernetes/kubelet-config.yaml 2>&1; ip -4 route; systemctl is-active kube-apiserver kubelet kube-proxy containerd; true";
const probeAll = () => Promise.all(names().map((n) => sh(n, PROBE)));

clusterLab(config, inventoryDir, machines, (booted) => (lab = booted));

describe(`the current release (Kubernetes ${versions.kube_version} on containerd ${versions.containerd_version}) on lab machines`, () => {
  it("--check on fresh machines changes nothing", () => checkChangesNothing(lab.inventoryFile, probeAll), 300_000);

  it("brings up the control plane, then joins every node; forged requests stay pending", async () => {
    const masters = await runCollecting(sitePlaybook, lab.inventoryFile, { tags: { only: ["all"], skip: ["kube-node", "network", "coredns"] } });
    expect(masters.exitCode, JSON.stringify(masters.results.filter((r) => r.status === "failed"))).toBe(0);
    expect(await kubectl("get", "--raw", "/readyz")).toBe("ok");
    const cs = await kubectl("get", "componentstatuses", "--no-headers");
    expect(cs.trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2).join(" ")).sort()).toEqual(["controller-manager Healthy", "etcd-0 Healthy", "scheduler Healthy"]);

    const bootstrap = join(pki, "bootstrap.kubeconfig");
    for (const [name, cn] of [["rogue-outsider", "system:node:intruder"], ["rogue-node-other-key", `system:node:${names()[1]}`]] as const) {
      await run(kubectlBin, ["--kubeconfig", bootstrap, "create", "-f", rogueRequest(name, cn)]);
    }
    const joined = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(joined.results.filter((r) => r.status === "failed" && !r.ignored).map((r) => `${r.host} ${r.task}: ${r.message}`)).toEqual([]);
    const csrs = await kubectl("get", "csr", "rogue-outsider", "rogue-node-other-key", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.conditions}{\"\\n\"}{end}");
    expect(csrs.trim().split("\n")).toEqual(["rogue-outsider=", "rogue-node-other-key="]);

    // The network stage waited for them: Ready when site.ts returns.
    const nodes = await kubectl("get", "nodes", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status,VERSION:.status.nodeInfo.kubeletVersion,RUNTIME:.status.nodeInfo.containerRuntimeVersion,TAINTS:.spec.taints[*].key");
    const [master, ...others] = names();
    const runtime = `containerd://${versions.containerd_version}`;
    expect(nodes.trim().split("\n").map((l) => l.trim().split(/\s+/))).toEqual([
      [master, "True", `v${versions.kube_version}`, runtime, "node-role.kubernetes.io/control-plane"],
      ...others.map((n) => [n, "True", `v${versions.kube_version}`, runtime, "<none>"]),
    ]);
    expect((await kubectl("get", "nodes", "-l", "node-role.kubernetes.io/control-plane", "-o", "name")).trim()).toBe(`node/${master}`);
    // The lab's hosts run cgroup v1: kubelet was told to accept it.
    for (const name of names()) {
      expect((await sh(name, "stat -fc %T /sys/fs/cgroup")).trim()).toBe("tmpfs");
      expect(await sh(name, "sudo cat /etc/kubernetes/kubelet-config.yaml")).toMatch(/^failCgroupV1: false$/m);
    }
    // Beyond 127.0.0.1 (and sshd) only TLS listens: etcd, the apiserver on the master, kubelet.
    for (const [i, machine] of lab.machines.entries()) {
      const listening = (await sh(machine.name, "sudo ss -Hltnp")).split("\n").filter(Boolean);
      const open = listening.filter((l) => !/ 127\.0\.0\.1:\d+ /.test(l) && !/[:\]]22 /.test(l)).map((l) => `${/users:\(\("([^"]+)"/.exec(l)?.[1]}:${/:(\d+) /.exec(l)?.[1]}`);
      expect(open.sort(), machine.name).toEqual([...(i === 0 ? ["kube-apiserver:6443"] : []), "etcd:2379", "etcd:2380", "kubelet:10250"].sort());
      for (const port of open.map((o) => o.split(":")[1])) {
        const hello = await run("sh", ["-c", `timeout 5 openssl s_client -connect ${machine.address}:${port} </dev/null 2>&1 || true`]);
        expect(hello.stdout, `${machine.name}:${port}`).toMatch(/Server certificate/);
      }
    }
  }, 900_000);

  it("runs pods from the bundled image: logs, exec, pod to pod, Services from pods, nodes and outside, hairpin, cluster DNS", async () => {
    await kubectl("create", "namespace", "ek-proof");
    const pods = await deployWeb(kubectl, inventoryDir, "ek-proof", "node-role.kubernetes.io/control-plane", "NodePort");
    expect(pods.map((p) => p[1]).sort()).toEqual(names());
    const [first, second] = pods as [WebPod, WebPod];
    expect(await kubectl("-n", "ek-proof", "logs", first[0])).toBe(`serving as ${first[0]}\n`);
    const inPod = (script: string) => kubectl("-n", "ek-proof", "exec", first[0], "--", "sh", "-c", script);
    expect((await inPod(askHostname(second[2], 8080))).trim()).toBe(second[0]);
    const service = (await kubectl("-n", "ek-proof", "get", "service", "web", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}")).trim().split(" ");
    const [clusterIp, nodePort] = [service[0]!, Number(service[1])];
    // Through the Service until the asking pod has answered itself too (hairpin) - every answer a backend.
    // kube-proxy programs a new Service within its sync period: the first answer may take a moment.
    const isPod = (answer: string) => pods.some((p) => p[0] === answer);
    for (let i = 0; i < 20 && !isPod((await inPod(askHostname(clusterIp, 80))).trim()); i++) await new Promise((resolve) => setTimeout(resolve, 500));
    const answers = new Set<string>();
    for (let i = 0; i < 30 && !answers.has(first[0]); i++) answers.add((await inPod(askHostname(clusterIp, 80))).trim());
    expect(answers).toContain(first[0]);
    expect([...answers].filter((h) => !isPod(h))).toEqual([]);
    expect(pods.map((p) => p[0])).toContain((await sh(names()[1]!, `curl -s -m 5 http://${clusterIp}/hostname`)).trim());
    // A NodePort from the control machine, on every node.
    for (const machine of lab.machines) {
      const { stdout } = await run("curl", ["-s", "-m", "5", `http://${machine.address}:${nodePort}/hostname`]);
      expect(pods.map((p) => p[0]), machine.name).toContain(stdout.trim());
    }
    // Secrets are encrypted in etcd (aescbc, the PKI folder's key), and read back in the clear.
    await kubectl("-n", "ek-proof", "create", "secret", "generic", "ek-secret", "--from-literal=word=plaintext-canary");
    expect(await kubectl("-n", "ek-proof", "get", "secret", "ek-secret", "-o", "jsonpath={.data.word}")).toBe(Buffer.from("plaintext-canary").toString("base64"));
    const stored = await sh(names()[0]!, "sudo ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/ssl/etcd-ca.pem --cert=/etc/kubernetes/ssl/etcd-client.pem --key=/etc/kubernetes/ssl/etcd-client-key.pem get /registry/secrets/ek-proof/ek-secret --print-value-only | head -c 64");
    expect(stored).toMatch(/^k8s:enc:aescbc:v1:easy-kube-1:/);
    expect(stored).not.toContain("plaintext-canary");
    // The audit log recorded the namespace's creation with its request, and no event or health probe.
    const audit = (await sh(names()[0]!, "sudo cat /var/log/kubernetes/audit.log")).trim().split("\n").map((l) => JSON.parse(l) as { level: string; verb: string; objectRef?: { resource?: string; name?: string }; requestURI: string });
    expect(audit.find((e) => e.verb === "create" && e.objectRef?.resource === "namespaces" && e.objectRef.name === "ek-proof")?.level).toBe("Request");
    expect(audit.filter((e) => e.objectRef?.resource === "events" || /^\/(healthz|readyz|livez)/.test(e.requestURI))).toEqual([]);
    expect(audit.filter((e) => e.objectRef?.resource === "secrets" && e.level !== "Metadata")).toEqual([]);
    expect(await inPod("cat /etc/resolv.conf")).toMatch(/^search ek-proof\.svc\.cluster\.local svc\.cluster\.local cluster\.local\nnameserver 10\.254\.0\.2\n/);
  }, 600_000);

  it("serves the cluster DNS (CoreDNS from the bundle): Services, pods, nothing for an address no pod has; removed with dns_mode none and back", async () => {
    const [web] = (await kubectl("-n", "ek-proof", "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name} {.items[0].status.podIP}")).trim().split(" ") as [string, string];
    const lookup = (name: string) => kubectl("-n", "ek-proof", "exec", web, "--", "nslookup", "-type=a", name).catch((error: { stdout?: string }) => `failed: ${error.stdout ?? ""}`);
    const webIp = (await kubectl("-n", "ek-proof", "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    expect(await lookup("kubernetes.default.svc.cluster.local")).toMatch(/Address: 10\.254\.0\.1$/m);
    // The search path of the pod's namespace: a bare Service name.
    expect(await lookup("web")).toMatch(new RegExp(`Address: ${webIp.replace(/\./g, "\\.")}$`, "m"));
    // A pod's own A record (pods verified), and none for an address that is no pod of the namespace.
    const podIp = (await kubectl("-n", "ek-proof", "get", "pod", web, "-o", "jsonpath={.status.podIP}")).trim();
    expect(await lookup(`${podIp.replace(/\./g, "-")}.ek-proof.pod.cluster.local`)).toMatch(new RegExp(`Address: ${podIp.replace(/\./g, "\\.")}$`, "m"));
    expect(await lookup("10-99-99-99.ek-proof.pod.cluster.local")).toMatch(/can't find 10-99-99-99\.ek-proof\.pod\.cluster\.local: NXDOMAIN/);
    // Not root, and its account may only read what it serves.
    const users = await Promise.all(names().map((n) => sh(n, "ps -o uid= -C coredns || true")));
    expect(users.join("\n").trim().split(/\s+/).filter(Boolean).sort()).toEqual(["65532", "65532"]);
    const canI = async (verb: string, resource: string) => (await kubectl("auth", "can-i", verb, resource, "--as=system:serviceaccount:kube-system:coredns").catch((e: { stdout?: string }) => e.stdout ?? "")).trim();
    expect(await canI("watch", "endpointslices.discovery.k8s.io")).toBe("yes");
    expect(await canI("get", "secrets")).toBe("no");
    expect(await canI("create", "pods")).toBe("no");

    // Turned off: every object of the add-on removed; turned on again: serving again.
    const off = await runCollecting(dnsPlaybook, lab.inventoryFile, { extraVars: { dns_mode: "none" } });
    expect(off.exitCode, JSON.stringify(off.results.filter((r) => r.status === "failed"))).toBe(0);
    expect((await kubectl("get", "deployments,services,configmaps,serviceaccounts,clusterroles,clusterrolebindings,poddisruptionbudgets", "-A", "-l", "easy-kube.io/addon=coredns", "-o", "name")).trim()).toBe("");
    const on = await runCollecting(dnsPlaybook, lab.inventoryFile);
    expect(on.exitCode, JSON.stringify(on.results.filter((r) => r.status === "failed"))).toBe(0);
    expect(await lookup("kubernetes.default.svc.cluster.local")).toMatch(/Address: 10\.254\.0\.1$/m);
    expect(await lookup("web")).toMatch(new RegExp(`Address: ${webIp.replace(/\./g, "\\.")}$`, "m"));
  }, 600_000);

  it("a containerd restart leaves the pods running", async () => {
    const node = names()[1]!;
    const pod = (await kubectl("-n", "ek-proof", "get", "pods", "-l", "app=web", "--field-selector", `spec.nodeName=${node}`, "-o", "jsonpath={.items[0].metadata.name}")).trim();
    const containers = async () => (await sh(node, "sudo crictl ps -q | sort")).trim();
    const before = await containers();
    expect(before).not.toBe("");
    const pids = (await sh(node, "pgrep -f 'httpd -f -p 8080' | sort")).trim();
    await sh(node, "sudo systemctl restart containerd");
    expect((await sh(node, "systemctl is-active containerd")).trim()).toBe("active");
    expect((await sh(node, "pgrep -f 'httpd -f -p 8080' | sort")).trim()).toBe(pids);
    let after = "";
    for (let i = 0; i < 30 && after !== before; i++) {
      after = await containers().catch(() => "");
      if (after !== before) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(after).toBe(before);
    expect(await kubectl("-n", "ek-proof", "get", "pod", pod, "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}")).toBe("Running 0");
    // exec goes through the CRI, which answers "pod does not exist" until containerd has reloaded its sandboxes.
    let alive = "";
    for (let i = 0; i < 30 && alive !== "alive"; i++) {
      alive = (await kubectl("-n", "ek-proof", "exec", pod, "--", "echo", "alive").catch(() => "")).trim();
      if (alive !== "alive") await new Promise((r) => setTimeout(r, 1000));
    }
    expect(alive).toBe("alive");
  }, 300_000);

  it("re-runs with changed=0; --check on the cluster changes nothing", async () => {
    const again = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(again.exitCode).toBe(0);
    for (const name of names()) expect(again.stats[name], name).toMatchObject({ changed: 0, failed: 0 });
    const probed = await probeAll();
    const checked = await runCollecting(sitePlaybook, lab.inventoryFile, { check: true });
    for (const name of names()) expect(checked.stats[name], name).toMatchObject({ changed: 0, failed: 0 });
    expect(await probeAll()).toEqual(probed);
  }, 600_000);
});
