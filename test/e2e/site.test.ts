/**
 * playbooks/site.ts on three fresh lab machines that can run Docker and kubelet, with the bundle
 * filled from Debian's packages as an offline site would fill it. site.ts runs every stage (prepare,
 * PKI, etcd, kube-master, Docker, kube-node, the host-routes network); this file is about the stages
 * before Kubernetes and the whole site's guards (test/e2e/kubernetes.test.ts proves the Kubernetes
 * cluster itself). Where the Kubernetes stages would only add minutes, it runs the stages it is
 * about (prepare, PKI, etcd, Docker: `stages` below):
 * - site.ts --check on fresh machines changes nothing;
 * - (stages) the guide's discovery-URL bootstrap, against a local discovery service; a reused URL
 *   fails clearly and wipes the new members' data, and a renewed URL bootstraps; the URL stays out
 *   of the unit (a root-only environment file) and out of the run's output;
 * - the static bootstrap, by site.ts with every stage: etcd healthy over TLS (etcdctl with the etcd
 *   CA's client certificate from the control machine), 3 members, a write on one member read on
 *   another; kube-proxy's and the apiserver's certificates (the cluster CA's) refused by etcd;
 *   Docker running with overlay2; the FORWARD rule present once, also after Docker restarts;
 * - a site.ts re-run reports changed=0; --tags etcd runs the etcd stage alone; every unit file
 *   site.ts wrote passes systemd-analyze verify;
 * - a lost PKI folder: the new CA it mints is refused by site.ts on every host (their files
 *   untouched); (stages) the restored folder passes; -e pki_renew=ca rotates the cluster CA on every
 *   host, etcd unharmed. The rotation runs the stages only: site.ts does not yet move a running
 *   cluster onto a new CA (measured on the lab: site.ts -e pki_renew=ca exits 0, then every kubelet
 *   fails x509 against the apiserver with its bootstrapped kubeconfig and client certificate);
 * - last (its flag stays): a changed etcd flag restarts the members one after another while writes
 *   keep succeeding.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleCommand } from "../../lib/cli/bundle-command.js";
import { ETCD_CLIENT_FILES } from "../../lib/pki/cluster-pki.js";
import { labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labReset, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { definePlaybook } from "../../lib/runner/types.js";
import { dockerPlaybook } from "../../playbooks/docker.js";
import { etcdPlaybook } from "../../playbooks/etcd.js";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { preparePlaybook } from "../../playbooks/prepare.js";
import { sitePlaybook } from "../../playbooks/site.js";
import { startDiscoveryService, type DiscoveryService } from "../helpers/discovery-service.js";
import { LabSsh } from "../helpers/lab-ssh.js";
import { runCollecting, statuses } from "../helpers/run.js";

const run = promisify(execFile);
const inventoryDir = mkdtempSync(join(tmpdir(), "ek-site-inventory-"));
cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
const config = labConfig("site", inventoryDir);
const bundleEtcd = join(inventoryDir, ".bundle", "etcd", "3.4.23", "amd64");
const pki = join(inventoryDir, ".pki");
let lab: LabUpResult;
let discovery: DiscoveryService;
const machines = new LabSsh(() => lab.inventoryFile);
const connect = (host: string) => machines.connect(host);
/** The stages this file is about, without the Kubernetes ones site.ts runs after them. */
const stages = definePlaybook({ name: "stages", plays: [...preparePlaybook.plays, ...pkiPlaybook.plays, ...etcdPlaybook.plays, ...dockerPlaybook.plays] });

/** etcdctl from the bundle, on the control machine, with a client certificate of the PKI (the etcd client's): its stdout and stderr. */
async function etcdctl(endpoints: string[], ...args: string[]): Promise<string> {
  return etcdctlAs(ETCD_CLIENT_FILES.cert.replace(/\.pem$/, ""), endpoints, ...args);
}

async function etcdctlAs(certificate: string, endpoints: string[], ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(
    join(bundleEtcd, "etcdctl"),
    [`--endpoints=${endpoints.map((a) => `https://${a}:2379`).join(",")}`, `--cacert=${pki}/${ETCD_CLIENT_FILES.ca}`, `--cert=${pki}/${certificate}.pem`, `--key=${pki}/${certificate}-key.pem`, "--command-timeout=5s", ...args],
    { env: { ...process.env, ETCDCTL_API: "3" } },
  );
  return stdout + stderr;
}

const addresses = () => lab.machines.map((m) => m.address);
const discoveryVars = () => ({ etcd_bootstrap: "discovery", etcd_discovery_service: discovery.url });

async function freshMachines(): Promise<void> {
  await machines.closeAll();
  lab = await labReset(config);
}

beforeAll(async () => {
  await labDown(config);
  lab = await labUp(config, 3, () => {}, { profile: "docker" });
  // Filling the bundle touches no host: it runs before anything else, as a user would run it.
  expect(await bundleCommand(["-i", lab.inventoryFile], () => {})).toBe(0);
  discovery = await startDiscoveryService(join(bundleEtcd, "etcd"), `${config.subnet}.1`);
}, 600_000);

afterAll(async () => {
  await machines.closeAll();
  await discovery?.stop();
  await labDown(config);
  rmSync(inventoryDir, { recursive: true, force: true });
});

describe("site.ts on fresh machines", () => {
  it("--check changes nothing on any host", async () => {
    const probe = "ls /usr/local/bin /etc/kubernetes /etc/docker /var/lib/etcd /etc/systemd/system/etcd.service /etc/sysctl.d 2>&1; sysctl -n net.bridge.bridge-nf-call-iptables; systemctl is-active etcd docker; true";
    const before = await Promise.all(lab.machines.map((m) => connect(m.name).run(probe)));
    const checked = await runCollecting(sitePlaybook, lab.inventoryFile, { check: true, extraVars: discoveryVars() });
    expect(checked.exitCode, JSON.stringify(checked.results.filter((r) => r.status === "failed"))).toBe(0);
    expect(statuses(checked.results, "start etcd")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    const after = await Promise.all(lab.machines.map((m) => connect(m.name).run(probe)));
    expect(after.map((r) => r.stdout)).toEqual(before.map((r) => r.stdout));
    // Nothing minted, nothing generated on the control machine either.
    expect(existsSync(join(inventoryDir, ".easy-kube", "etcd-discovery.json"))).toBe(false);
    expect(existsSync(join(pki, "ca.pem"))).toBe(false);
  }, 300_000);

  it("bootstraps etcd from a minted discovery URL, which stays out of the unit and the output", async () => {
    const first = await runCollecting(stages, lab.inventoryFile, { extraVars: discoveryVars(), diff: true });
    expect(first.exitCode, JSON.stringify(first.results.filter((r) => r.status === "failed"))).toBe(0);
    const token = (JSON.parse(readFileSync(join(inventoryDir, ".easy-kube", "etcd-discovery.json"), "utf8")) as { url: string }).url.split("/").pop()!;
    expect(JSON.stringify(first.events)).not.toContain(token);
    for (const m of lab.machines) {
      const ssh = connect(m.name);
      expect((await ssh.run("cat /etc/systemd/system/etcd.service")).stdout).not.toContain(token);
      expect((await ssh.run("stat -c '%a %U' /etc/etcd/discovery.env; cat /etc/etcd/discovery.env")).stdout).toMatch(new RegExp(`^600 root\nETCD_DISCOVERY=${discovery.url}/${token}\n$`));
    }
    const members = (await etcdctl(addresses(), "member", "list")).trim().split("\n");
    expect(members.map((m) => m.replace(/^[0-9a-f]+, /, "")).sort()).toEqual(lab.machines.map((m) => `started, ${m.name}, https://${m.address}:2380, https://${m.address}:2379, false`));
    // Remembered for the next runs, private, and kept out of git.
    const state = join(inventoryDir, ".easy-kube", "etcd-discovery.json");
    expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ size: 3, url: expect.stringMatching(new RegExp(`^${discovery.url}/[0-9a-f]{32}$`)) });
    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(inventoryDir, ".easy-kube", ".gitignore"), "utf8")).toContain("*");
    const again = await runCollecting(stages, lab.inventoryFile, { extraVars: discoveryVars() });
    expect(Object.values(again.stats).map((s) => s.changed)).toEqual([0, 0, 0]);
  }, 300_000);

  it("a used discovery URL fails clearly and wipes the new members; a renewed one bootstraps", async () => {
    await freshMachines();
    const reused = await runCollecting(stages, lab.inventoryFile, { extraVars: discoveryVars() });
    expect(reused.exitCode).toBe(2);
    const failures = reused.results.filter((r) => r.task === "start etcd" && r.status === "failed");
    expect(failures).toHaveLength(3);
    expect(failures[0]!.message).toMatch(/failed to bootstrap this new member; it was stopped and \/var\/lib\/etcd\/member wiped .* -e etcd_discovery_renew=true/s);
    expect(failures[0]!.message).toMatch(/has previously registered with discovery service token/);
    const token = (JSON.parse(readFileSync(join(inventoryDir, ".easy-kube", "etcd-discovery.json"), "utf8")) as { url: string }).url.split("/").pop()!;
    expect(JSON.stringify(reused.events)).not.toContain(token);
    for (const m of lab.machines) expect((await connect(m.name).run("ls -A /var/lib/etcd; systemctl is-active etcd")).stdout).toBe("inactive\n");

    const renewed = await runCollecting(etcdPlaybook, lab.inventoryFile, { extraVars: { ...discoveryVars(), etcd_discovery_renew: true } });
    expect(renewed.exitCode, JSON.stringify(renewed.results.filter((r) => r.status === "failed"))).toBe(0);
    expect((await etcdctl(addresses(), "endpoint", "health")).match(/is healthy/g)).toHaveLength(3);
  }, 300_000);
});

describe("site.ts with the static bootstrap", () => {
  beforeAll(async () => {
    await freshMachines();
    const first = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(first.exitCode, JSON.stringify(first.results.filter((r) => r.status === "failed"))).toBe(0);
  }, 300_000);

  it("etcd answers over TLS on every member, 3 members, a write on one read on another", async () => {
    expect((await etcdctl(addresses(), "endpoint", "health")).match(/is healthy/g)).toHaveLength(3);
    expect((await etcdctl([addresses()[0]!], "member", "list")).trim().split("\n")).toHaveLength(3);
    await etcdctl([addresses()[0]!], "put", "/easy-kube/test", "written-on-the-first");
    expect(await etcdctl([addresses()[2]!], "get", "--print-value-only", "/easy-kube/test")).toBe("written-on-the-first\n");
    // Client certificates are required: without one, the member refuses.
    await expect(run(join(bundleEtcd, "etcdctl"), [`--endpoints=https://${addresses()[1]}:2379`, `--cacert=${pki}/etcd-ca.pem`, "--command-timeout=3s", "get", "x"], { env: { ...process.env, ETCDCTL_API: "3" } })).rejects.toThrow();
    // Only the etcd CA's: kube-proxy's certificate (on every node) and the cluster CA's others are refused.
    for (const stranger of ["kube-proxy", "kubernetes", "admin"]) {
      await expect(etcdctlAs(stranger, [addresses()[1]!], "get", "/easy-kube/test"), stranger).rejects.toThrow(/bad certificate|certificate required|unknown certificate authority|context deadline exceeded/);
    }
  });

  it("Docker runs with overlay2 and cgroupfs; the FORWARD rule is there once, also after Docker restarts", async () => {
    for (const m of lab.machines) {
      const ssh = connect(m.name);
      expect((await ssh.run("docker info --format '{{.Driver}} {{.CgroupDriver}}'")).stdout).toBe("overlay2 cgroupfs\n");
      const rules = "iptables -S FORWARD | grep -cx -- '-A FORWARD -j ACCEPT'";
      expect((await ssh.run(rules)).stdout).toBe("1\n");
      expect((await ssh.run("systemctl restart docker && systemctl is-active docker")).stdout).toBe("active\n");
      expect((await ssh.run(rules)).stdout).toBe("1\n");
    }
  }, 120_000);

  it("a re-run reports changed=0", async () => {
    const again = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(again.exitCode).toBe(0);
    expect(again.results.filter((r) => r.status === "changed").map((r) => `${r.host}: ${r.task}`)).toEqual([]);
  }, 120_000);

  it("--tags etcd runs the etcd stage alone, as playbooks/etcd.ts does", async () => {
    const tagged = await runCollecting(sitePlaybook, lab.inventoryFile, { tags: { only: ["etcd"], skip: [] } });
    expect(tagged.exitCode).toBe(0);
    const tasks = (results: typeof tagged.results) => [...new Set(results.filter((r) => r.task !== "Gathering Facts").map((r) => `${r.role}: ${r.task}`))];
    expect(tasks(tagged.results).every((t) => t.startsWith("etcd: "))).toBe(true);
    const alone = await runCollecting(etcdPlaybook, lab.inventoryFile);
    expect(tasks(tagged.results)).toEqual(tasks(alone.results));
    expect(tasks(alone.results)).toContain("etcd: wait until this member is healthy");
  });

  it("a kernel parameter the host forbids fails naming it", async () => {
    const forbidden = await runCollecting(preparePlaybook, lab.inventoryFile, { extraVars: { prepare_sysctl: { "net.ipv4.ip_forward": 1, "vm.swappiness": 7 } } });
    expect(forbidden.exitCode).toBe(2);
    const failures = forbidden.results.filter((r) => r.status === "failed");
    expect(failures.map((r) => r.task)).toEqual(["set kernel parameters", "set kernel parameters", "set kernel parameters"]);
    expect(failures[0]!.message).toMatch(/kernel parameter vm\.swappiness cannot be changed on this host .*Remove it from the list for this host/);
  });

  it("every unit file site.ts wrote passes systemd-analyze verify", async () => {
    const everyNode = ["docker", "easy-kube-pod-network", "etcd", "kube-proxy", "kubelet"];
    const master = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];
    for (const [i, m] of lab.machines.entries()) {
      const ssh = connect(m.name);
      // The lab's master is its first machine; every machine is an etcd member and a node.
      const units = (await ssh.run("find /etc/systemd/system -maxdepth 1 -type f -name '*.service' -printf '%f\\n' | sort")).stdout.trim().split("\n");
      expect(units, m.name).toEqual([...everyNode, ...(i === 0 ? master : [])].map((u) => `${u}.service`).sort());
      const verified = await ssh.run(`systemd-analyze verify ${units.map((u) => `/etc/systemd/system/${u}`).join(" ")}`);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stderr).toBe("");
    }
  });

  it("a lost PKI folder is refused on every host by name; restored, the run passes; -e pki_renew=ca rotates the cluster CA", async () => {
    const cas = () => Promise.all(lab.machines.map(async (m) => (await connect(m.name).run("cat /etc/kubernetes/ssl/ca.pem /etc/kubernetes/ssl/etcd-ca.pem")).stdout));
    const before = await cas();
    renameSync(pki, `${pki}.saved`);
    const lost = await runCollecting(sitePlaybook, lab.inventoryFile);
    expect(lost.exitCode).toBe(2);
    expect(statuses(lost.results, "check the host's CAs are the PKI folder's")).toEqual(lab.machines.map((m) => `${m.name}:failed`));
    const message = lost.results.find((r) => r.status === "failed")!.message!;
    expect(message).toContain(`/etc/kubernetes/ssl/ca.pem on this host is the CA the cluster runs with, and it differs from ${pki}/ca.pem`);
    expect(message).toContain("/etc/kubernetes/ssl/etcd-ca.pem on this host is the CA the cluster runs with");
    expect(message).toMatch(/restore the PKI folder .*-e pki_renew=ca/s);
    expect(await cas()).toEqual(before);
    rmSync(pki, { recursive: true });
    renameSync(`${pki}.saved`, pki);
    const restored = await runCollecting(stages, lab.inventoryFile);
    expect(restored.results.filter((r) => r.status !== "ok" && r.status !== "skipped").map((r) => `${r.host}: ${r.task} ${r.status}`)).toEqual([]);

    const oldCa = readFileSync(join(pki, "ca.pem"), "utf8");
    // The stages only: site.ts does not yet move a running cluster's kubelets onto a new CA.
    const rotated = await runCollecting(stages, lab.inventoryFile, { extraVars: { pki_renew: "ca" } });
    expect(rotated.exitCode, JSON.stringify(rotated.results.filter((r) => r.status === "failed"))).toBe(0);
    const newCa = readFileSync(join(pki, "ca.pem"), "utf8");
    expect(newCa).not.toBe(oldCa);
    const signedByNewCa = async (host: string, file: string) => new X509Certificate((await connect(host).run(`cat /etc/kubernetes/ssl/${file}`)).stdout).verify(new X509Certificate(newCa).publicKey);
    for (const m of lab.machines) {
      expect((await connect(m.name).run("cat /etc/kubernetes/ssl/ca.pem")).stdout).toBe(newCa);
      expect(await signedByNewCa(m.name, "kube-proxy.pem")).toBe(true);
    }
    for (const file of ["kubernetes.pem", "admin.pem", "kube-apiserver-kubelet-client.pem"]) expect(await signedByNewCa(lab.machines[0]!.name, file), file).toBe(true);
    // etcd has its own CA: untouched by the rotation, still healthy.
    expect((await etcdctl(addresses(), "endpoint", "health")).match(/is healthy/g)).toHaveLength(3);
    const again = await runCollecting(stages, lab.inventoryFile);
    expect(again.results.filter((r) => r.status === "changed").map((r) => `${r.host}: ${r.task}`)).toEqual([]);
  }, 300_000);

  it("a changed etcd flag restarts members one at a time while writes keep succeeding", async () => {
    // A client connected to the member being stopped can see its request cut; as any etcd client
    // does, the writer tries again at once (the endpoint list lets it reach another member). The
    // cluster answered throughout if no write failed on its retries too.
    let writes = 0;
    let retried = 0;
    const failures: string[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const errors: string[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await etcdctl(addresses(), "put", "/easy-kube/counter", String(writes));
            break;
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
        if (errors.length === 3) failures.push(errors.join("\n"));
        else writes++;
        if (errors.length > 0) retried++;
      }
    })();
    const changed = await runCollecting(etcdPlaybook, lab.inventoryFile, { extraVars: { etcd_extra_flags: { "heartbeat-interval": 150, "election-timeout": 1500 } } });
    writing = false;
    await writer;
    expect(changed.exitCode).toBe(0);
    expect(statuses(changed.results, "restart etcd one member at a time")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(5);
    expect(retried, "writes that needed a retry").toBeLessThanOrEqual(lab.machines.length);
    // Each member became active again before the next one was stopped.
    const times = await Promise.all(
      lab.machines.map(async (m) => {
        const out = (await connect(m.name).run("systemctl show etcd -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic --value")).stdout.trim().split("\n").map(Number);
        return { started: out[0]!, active: out[1]! };
      }),
    );
    times.sort((a, b) => a.started - b.started);
    for (let i = 1; i < times.length; i++) expect(times[i]!.started).toBeGreaterThan(times[i - 1]!.active);
    for (const m of lab.machines) expect((await connect(m.name).run("cat /etc/systemd/system/etcd.service")).stdout).toContain("--heartbeat-interval=150");
  }, 300_000);
});
