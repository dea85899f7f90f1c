/**
 * The whole cluster of the guide (steps 1 to 6 and the pod network) on three fresh lab machines that
 * can run Docker and kubelet: the first is the master and also a node, the others are nodes.
 * Kubernetes 1.20.2 comes from the bundle (built from Debian's source), checked from the control
 * machine with kubectl and the admin kubeconfig:
 * - --check on fresh machines changes nothing;
 * - the control plane first; then two certificate requests an attacker holding the bootstrap token
 *   could make (a name outside the inventory; an inventory name with another key) stay pending and
 *   are reported while the real nodes join;
 * - `kubectl get cs` all Healthy, /healthz ok; a new namespace gets its service account and token;
 * - every node Ready under its inventory name, its client certificate issued to
 *   system:node:<name> by the cluster CA; the master tainted; beyond 127.0.0.1 only TLS listens;
 * - a Deployment of 3 busybox pods from the bundled image spread over the nodes; logs and exec
 *   (apiserver to kubelet over TLS); pod to pod across nodes; a ClusterIP Service from a pod and
 *   from a node; a pod's resolv.conf names the cluster DNS;
 * - a re-run reports changed=0 and re-bootstraps nothing; --check on the cluster changes nothing;
 * - a changed kubelet setting restarts the nodes one at a time.
 */
import { describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { labConfig } from "../../lib/lab/lab-config.js";
import type { LabUpResult } from "../../lib/lab/lab.js";
import { sitePlaybook } from "../../playbooks/site.js";
import { askHostname, deployWeb, kubectlFor, rogueRequest, type WebPod } from "../helpers/cluster.js";
import { checkChangesNothing, clusterLab } from "../helpers/cluster-lab.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting, statuses } from "../helpers/run.js";

const run = promisify(execFile);
const inventoryDir = mkdtempSync(join(tmpdir(), "ek-k8s-inventory-"));
cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("k8s", inventoryDir);
const pki = join(inventoryDir, ".pki");
const kubectlBin = join(inventoryDir, ".bundle", "kubernetes", "1.20.2", "amd64", "kubectl");
let lab: LabUpResult;
const machines = new LabSsh(() => lab.inventoryFile);
const names = () => lab.machines.map((m) => m.name);

/** The kubectl built with the cluster, as a user runs it from the control machine. */
const kubectl = kubectlFor(kubectlBin, pki);

/** What --check must leave alone on a host. */
const PROBE =
  "ls -la --time-style=full-iso /etc/kubernetes /etc/kubernetes/ssl /var/lib/kubelet/pki /etc/cni/net.d /usr/local/bin 2>&1 | grep -v '^total '; cat /etc/systemd/system/kube*.service /etc/kubernetes/kubelet-config.yaml 2>&1; ip -4 route; systemctl is-active kube-apiserver kubelet kube-proxy; true";
const probeAll = () => Promise.all(names().map(async (n) => (await machines.connect(n).run(PROBE)).stdout));

clusterLab(config, inventoryDir, machines, (booted) => (lab = booted));

describe("the guide's cluster with Kubernetes 1.20.2 on lab machines", () => {
  it("--check on fresh machines changes nothing", () => checkChangesNothing(lab.inventoryFile, probeAll), 300_000);

  it("brings up the control plane: every component and etcd member Healthy", async () => {
    const masters = await runCollecting(sitePlaybook, lab.inventoryFile, { tags: { only: ["all"], skip: ["kube-node", "host-routes"] } });
    expect(masters.exitCode, JSON.stringify(masters.results.filter((r) => r.status === "failed"))).toBe(0);
    const cs = await kubectl("get", "componentstatuses", "--no-headers");
    // (the kubelet-bootstrap binding of step 5 is made here too: the next test's requests need it)
    expect(cs.trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2).join(" ")).sort()).toEqual(["controller-manager Healthy", "etcd-0 Healthy", "etcd-1 Healthy", "etcd-2 Healthy", "scheduler Healthy"]);
    expect(await kubectl("get", "--raw", "/healthz")).toBe("ok");
    // The service account token controller works: a new namespace gets its account and token.
    await kubectl("create", "namespace", "ek-proof");
    let accounts = "";
    for (let i = 0; i < 30 && !accounts.includes("default"); i++) {
      accounts = await kubectl("-n", "ek-proof", "get", "serviceaccount", "default", "-o", "jsonpath={.metadata.name} {.secrets[0].name}").catch(() => "");
      if (!/default default-token-/.test(accounts)) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(accounts).toMatch(/^default default-token-\w+$/);
    expect(await kubectl("-n", "ek-proof", "get", "secret", accounts.split(" ")[1]!, "-o", "jsonpath={.type}")).toBe("kubernetes.io/service-account-token");
  }, 600_000);

  it("joins every node under its inventory name, approving only requests tied to a node and its key", async () => {
    // What anyone holding the bootstrap token could ask for: both must stay pending.
    const bootstrap = join(pki, "bootstrap.kubeconfig");
    for (const [name, cn] of [["rogue-outsider", "system:node:intruder"], ["rogue-node-other-key", `system:node:${names()[1]}`]] as const) {
      await run(kubectlBin, ["--kubeconfig", bootstrap, "create", "-f", rogueRequest(name, cn)]);
    }
    const joined = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(joined.results.filter((r) => r.status === "failed" && !r.ignored).map((r) => `${r.host} ${r.task}: ${r.message}`)).toEqual([]);
    // Reported by name, with the reason.
    const report = joined.results.find((r) => r.task === "report certificate requests left pending");
    expect(report?.message).toMatch(/rogue-outsider \(kubelet-bootstrap\): intruder is not a node of this inventory/);
    expect(report?.message).toContain("rogue-node-other-key (kubelet-bootstrap): ");
    // Two requests for that node's name, the rogue one first: only the one with its kubelet's key was approved.
    const forNode = (await kubectl("get", "csr", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.username} {.status.conditions[0].type}{\"\\n\"}{end}")).trim().split("\n");
    expect(forNode).toContainEqual(expect.stringMatching(/^rogue-node-other-key kubelet-bootstrap\s*$/));
    expect(forNode.filter((l) => /^node-csr-\S+ kubelet-bootstrap Approved$/.test(l))).toHaveLength(names().length);
    const csrs = await kubectl("get", "csr", "rogue-outsider", "rogue-node-other-key", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.conditions}{\"\\n\"}{end}");
    expect(csrs.trim().split("\n")).toEqual(["rogue-outsider=", "rogue-node-other-key="]);

    let nodes = "";
    for (let i = 0; i < 60; i++) {
      nodes = await kubectl("get", "nodes", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status,TAINTS:.spec.taints[*].key");
      if (nodes.trim().split("\n").every((l) => l.split(/\s+/)[1] === "True")) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const [master, ...others] = names();
    expect(nodes.trim().split("\n").map((l) => l.trim().split(/\s+/))).toEqual([[master, "True", "node-role.kubernetes.io/master"], ...others.map((n) => [n, "True", "<none>"])]);
    // Beyond 127.0.0.1 (and sshd) only TLS listens: etcd, the apiserver on the master, kubelet.
    for (const [i, machine] of lab.machines.entries()) {
      const listening = (await machines.connect(machine.name).run("sudo ss -Hltnp")).stdout.split("\n").filter(Boolean);
      const open = listening.filter((l) => !/ 127\.0\.0\.1:\d+ /.test(l) && !/[:\]]22 /.test(l)).map((l) => `${/users:\(\("([^"]+)"/.exec(l)?.[1]}:${/:(\d+) /.exec(l)?.[1]}`);
      expect(open.sort(), machine.name).toEqual([...(i === 0 ? ["kube-apiserver:6443"] : []), "etcd:2379", "etcd:2380", "kubelet:10250"].sort());
      for (const port of open.map((o) => o.split(":")[1])) {
        const hello = await run("sh", ["-c", `timeout 5 openssl s_client -connect ${machine.address}:${port} </dev/null 2>&1 || true`]);
        expect(hello.stdout, `${machine.name}:${port}`).toMatch(/Server certificate/);
      }
    }
    for (const name of names()) {
      const cert = (await machines.connect(name).run("sudo cat /var/lib/kubelet/pki/kubelet-client-current.pem")).stdout;
      const file = join(mkdtempSync(join(tmpdir(), "ek-cert-")), "kubelet.pem");
      writeFileSync(file, cert);
      expect(execFileSync("openssl", ["verify", "-CAfile", join(pki, "ca.pem"), file], { encoding: "utf8" }).trim()).toBe(`${file}: OK`);
      expect(execFileSync("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", file], { encoding: "utf8" }).trim()).toBe(`subject=CN=system:node:${name},O=system:nodes`);
    }
  }, 900_000);

  it("runs pods from the bundled image: spread, logs, exec, pod to pod, a Service from a pod and a node, cluster DNS", async () => {
    const pods = await deployWeb(kubectl, inventoryDir, "ek-proof", "node-role.kubernetes.io/master");
    expect(pods.map((p) => p[1]).sort()).toEqual(names());
    const [first, second] = pods as [WebPod, WebPod];
    expect(await kubectl("-n", "ek-proof", "logs", first[0])).toBe(`serving as ${first[0]}\n`);
    const inPod = (script: string) => kubectl("-n", "ek-proof", "exec", first[0], "--", "sh", "-c", script);
    // Another node's pod, by its address (busybox's nc: its wget crashes on static glibc lookups).
    expect((await inPod(askHostname(second[2], 8080))).trim()).toBe(second[0]);
    const clusterIp = (await kubectl("-n", "ek-proof", "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    const viaService = new Set<string>();
    for (let i = 0; i < 12; i++) viaService.add((await inPod(askHostname(clusterIp, 80))).trim());
    expect([...viaService].every((h) => pods.some((p) => p[0] === h))).toBe(true);
    const fromNode = await machines.connect(names()[1]!).run(`curl -s -m 5 http://${clusterIp}/hostname`);
    expect(pods.map((p) => p[0])).toContain(fromNode.stdout.trim());
    expect(await inPod("cat /etc/resolv.conf")).toMatch(/^nameserver 10\.254\.0\.2\nsearch ek-proof\.svc\.cluster\.local svc\.cluster\.local cluster\.local\n/);
  }, 600_000);

  it("re-runs with changed=0, re-bootstrapping nothing; --check on the cluster changes nothing", async () => {
    const certs = async () => Promise.all(names().map(async (n) => (await machines.connect(n).run("sudo stat -c '%i %Y' $(sudo readlink -f /var/lib/kubelet/pki/kubelet-client-current.pem)")).stdout));
    const before = await certs();
    const requests = (await kubectl("get", "csr", "--no-headers")).trim().split("\n").length;
    const again = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(again.exitCode).toBe(0);
    for (const name of names()) expect(again.stats[name], name).toMatchObject({ changed: 0, failed: 0 });
    expect(await certs()).toEqual(before);
    expect((await kubectl("get", "csr", "--no-headers")).trim().split("\n").length).toBe(requests);
    const probed = await probeAll();
    const checked = await runCollecting(sitePlaybook, lab.inventoryFile, { check: true });
    for (const name of names()) expect(checked.stats[name], name).toMatchObject({ changed: 0, failed: 0 });
    expect(await probeAll()).toEqual(probed);
  }, 600_000);

  it("a changed kubelet setting restarts the nodes one at a time", async () => {
    const changed = await runCollecting(sitePlaybook, lab.inventoryFile, { extraVars: { kubelet_max_pods: 100 }, tags: { only: ["kube-node"], skip: [] } });
    expect(statuses(changed.results, "write kubelet's configuration and unit")).toEqual(names().map((n) => `${n}:changed`));
    const times = await Promise.all(
      names().map(async (n) => {
        const out = (await machines.connect(n).run("systemctl show kubelet -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic --value")).stdout.trim().split("\n").map(Number);
        return { started: out[0]!, active: out[1]! };
      }),
    );
    times.sort((a, b) => a.started - b.started);
    // Each node's kubelet was healthy again (handler waits for /healthz) before the next one restarted.
    for (let i = 1; i < times.length; i++) expect(times[i]!.started).toBeGreaterThan(times[i - 1]!.active);
    expect(await kubectl("get", "node", names()[1]!, "-o", "jsonpath={.status.capacity.pods}")).toBe("100");
  }, 600_000);
});
