/**
 * The engine on booted machines (systemd as PID 1, their own addresses and sshd), reached over
 * SSH exactly like real servers: a dry run changes nothing, the sample playbook converges and
 * re-runs with changed=0, handlers restart real units, packages install, become works, a machine
 * powered off mid-play is reported unreachable, and a rebuilt machine's new host key is refused.
 * The tests run in this order and share the lab.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectionSettings } from "../../lib/connection/settings.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import { hostFacts } from "../../lib/facts/host-facts.js";
import { LiveFacts } from "../../lib/facts/fact.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { labPowerOff, labReset, labUp } from "../../lib/lab/lab.js";
import { machineAt, stopMachine, wipeMachine } from "../../lib/lab/machine.js";
import { command, hostname, line, packages } from "../../lib/ops/index.js";
import type { Playbook } from "../../lib/runner/types.js";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { samplePlaybook } from "../../playbooks/sample.js";
import { buildLocalAptRepo, placeRepo } from "../helpers/local-apt-repo.js";
import { runCollecting, statuses } from "../helpers/run.js";

const lab = inject("lab");
const connections: SshConnection[] = [];

function connect(host: string, extra: Record<string, unknown> = {}): SshConnection {
  const inventory = loadInventory([lab.inventoryFile]);
  const connection = new SshConnection(connectionSettings(host, { ...inventory.hostVars(host).vars, ...extra }));
  connections.push(connection);
  return connection;
}

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

/** What a dry run must not change: files under /etc /opt /usr, unit files and their states, accounts, kernel settings. */
async function snapshot(host: string): Promise<string> {
  const result = await connect(host).run(
    [
      "find /etc /opt /usr -xdev -printf '%p %s %m %u %g %T@\\n' 2>/dev/null | sort | sha256sum",
      "systemctl list-unit-files --no-legend | grep -v transient | sort", // login sessions are transient scopes
      "systemctl is-active easy-kube-sample || true",
      "getent passwd | sort",
      "sysctl -n net.ipv4.ip_forward",
    ].join("; "),
  );
  return result.stdout;
}

describe("the lab", () => {
  it("up is idempotent: running machines are kept as they are", async () => {
    const pids = () => lab.machines.map((m) => readFileSync(join(lab.config.stateDir, "machines", m.name, "pid"), "utf8"));
    const before = pids();
    const again = await labUp(lab.config, 3);
    expect(again.machines.map((m) => m.name)).toEqual(lab.machines.map((m) => m.name));
    expect(pids()).toEqual(before);
  });
});

describe("a real Debian host", () => {
  it("gathers its facts", async () => {
    const facts = await new LiveFacts(connect(lab.machines[0]!.name)).get(hostFacts, null);
    expect(facts).toMatchObject({ osFamily: "Debian", distribution: "debian", distributionMajorVersion: 12, initSystem: "systemd", hostname: lab.machines[0]!.name });
    expect(facts.defaultIpv4).toBe(lab.machines[0]!.address);
    expect(facts.interfaces.map((i) => i.name)).toContain("host0");
  });

  it("connects as the sudo user and becomes root only when asked", async () => {
    const host = lab.machines[1]!.name;
    expect((await connect(host).run("id -un")).stdout.trim()).toBe("root");
    expect((await connect(host).run("id -un", { become: false })).stdout.trim()).toBe("ekadmin");
    expect((await connect(host, { ansible_user: "root", ansible_become: false }).run("id -un")).stdout.trim()).toBe("root");
  });
});

describe("the sample playbook", () => {
  it("--check on fresh machines reports the changes and changes nothing", async () => {
    const before = await Promise.all(lab.machines.map((m) => snapshot(m.name)));
    const run = await runCollecting(samplePlaybook, lab.inventoryFile, { check: true, diff: true });
    expect(run.exitCode).toBe(0);
    expect(statuses(run.results, "start the service")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    expect(statuses(run.results, "set kernel parameters")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    const after = await Promise.all(lab.machines.map((m) => snapshot(m.name)));
    for (let i = 0; i < before.length; i++) expect(after[i]!.split("\n")).toEqual(before[i]!.split("\n"));
  });

  it("converges, then re-runs with changed=0; the service runs and kernel settings are live", async () => {
    const first = await runCollecting(samplePlaybook, lab.inventoryFile);
    expect(first.exitCode).toBe(0);
    expect(statuses(first.results, "restart sample")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    const second = await runCollecting(samplePlaybook, lab.inventoryFile);
    expect(Object.values(second.stats).map((c) => c.changed)).toEqual([0, 0, 0]);
    for (const machine of lab.machines) {
      const state = await connect(machine.name).run("systemctl is-active easy-kube-sample; systemctl is-enabled easy-kube-sample; sysctl -n net.ipv4.ip_forward");
      expect(state.stdout).toBe("active\nenabled\n1\n");
    }
  });

  it("restarts the service through its handler when the config changes, and only then", async () => {
    const host = lab.machines[0]!.name;
    const started = async () => (await connect(host).run("systemctl show -p ExecMainStartTimestampMonotonic --value easy-kube-sample")).stdout.trim();
    const before = await started();
    const changed = await runCollecting(samplePlaybook, lab.inventoryFile, { limit: host, extraVars: { sample_greeting: "changed greeting" } });
    expect(statuses(changed.results, "restart sample")).toEqual([`${host}:changed`]);
    expect(await started()).not.toBe(before);
    const after = await started();
    await runCollecting(samplePlaybook, lab.inventoryFile, { limit: host, extraVars: { sample_greeting: "changed greeting" } });
    expect(await started()).toBe(after);
  });
});

describe("host settings", () => {
  it("sets the host name (running and in /etc/hostname), then reports ok", async () => {
    const host = lab.machines[0]!.name;
    const rename = (name: string): Playbook => ({
      name: "hostname",
      plays: [{ name: "hostname", hosts: host, gatherFacts: false, tasks: [{ name: "hostname", action: () => hostname(name) }] }],
    });
    expect(statuses((await runCollecting(rename("renamed-by-test"), lab.inventoryFile)).results, "hostname")).toEqual([`${host}:changed`]);
    expect((await connect(host).run("hostname; cat /etc/hostname")).stdout).toBe("renamed-by-test\nrenamed-by-test\n");
    expect(statuses((await runCollecting(rename("renamed-by-test"), lab.inventoryFile)).results, "hostname")).toEqual([`${host}:ok`]);
    await runCollecting(rename(host), lab.inventoryFile);
  });
});

describe("packages", () => {
  it("installs a real package with apt, then reports ok", async () => {
    const repo = buildLocalAptRepo("tree");
    for (const machine of lab.machines) placeRepo(repo, machine.root, "srv/easy-kube-repo");
    const playbook: Playbook = {
      name: "packages",
      plays: [
        {
          name: "tree",
          hosts: "lab",
          gatherFacts: false,
          tasks: [
            { name: "local repository", action: () => line({ path: "/etc/apt/sources.list.d/easy-kube-test.list", line: "deb [trusted=yes] file:/srv/easy-kube-repo ./", create: true }) },
            { name: "install tree", action: () => packages({ names: ["tree"], updateCache: true }) },
          ],
        },
      ],
    };
    const first = await runCollecting(playbook, lab.inventoryFile);
    expect(statuses(first.results, "install tree")).toEqual(lab.machines.map((m) => `${m.name}:changed`));
    expect((await connect(lab.machines[2]!.name).run("tree --version")).stdout).toMatch(/^tree v2/);
    const second = await runCollecting(playbook, lab.inventoryFile);
    expect(statuses(second.results, "install tree")).toEqual(lab.machines.map((m) => `${m.name}:ok`));
  }, 120_000);
});

describe("certificates on the machines", () => {
  it("each machine gets exactly the files its groups use, keys 0600 and root's; a re-run changes nothing", async () => {
    const first = await runCollecting(pkiPlaybook, lab.inventoryFile);
    expect(first.exitCode).toBe(0);
    const listing = async (host: string) =>
      (await connect(host).run("cd /etc/kubernetes && find . -type f -printf '%P %m %u\\n' | sort; ls /root/.kube 2>/dev/null || true")).stdout;
    // The e2e inventory: e2e-1 is etcd, master and node; e2e-2 and e2e-3 are etcd and node. The
    // kubeconfigs nodes dial with wait for the kube-node stage (after the apiserver proxy).
    expect(await listing(lab.machines[1]!.name)).toBe(
      [
        "ssl/ca.pem 644 root", "ssl/etcd-ca.pem 644 root", "ssl/etcd-client-key.pem 600 root", "ssl/etcd-client.pem 644 root",
        "ssl/etcd-key.pem 600 root", "ssl/etcd.pem 644 root", "ssl/kube-proxy-key.pem 600 root", "ssl/kube-proxy.pem 644 root", "",
      ].join("\n"),
    );
    expect(await listing(lab.machines[0]!.name)).toContain("ssl/ca-key.pem 600 root\n");
    expect(await listing(lab.machines[0]!.name)).toContain("token.csv 600 root\n");
    expect(await listing(lab.machines[0]!.name)).toMatch(/\nconfig\n$/);
    const remote = await connect(lab.machines[2]!.name).run("cat /etc/kubernetes/ssl/etcd.pem /etc/kubernetes/ssl/etcd-key.pem");
    const control = (f: string) => readFileSync(join(lab.config.inventoryDir, ".pki", f), "utf8");
    expect(remote.stdout).toBe(control("etcd.pem") + control("etcd-key.pem"));
    const second = await runCollecting(pkiPlaybook, lab.inventoryFile);
    expect(Object.values(second.stats).map((c) => c.changed)).toEqual([0, 0, 0]);
    const status = execFileSync("npx", ["tsx", "bin/easy-kube.mjs", "certs", "status", "-i", lab.inventoryFile, "--hosts", "--json"], { encoding: "utf8", cwd: join(import.meta.dirname, "../..") });
    const rows = JSON.parse(status) as { where: string; file: string; note: string }[];
    expect(rows.filter((r) => r.where === lab.machines[1]!.name).map((r) => r.file)).toEqual([
      "/etc/kubernetes/ssl/etcd-ca.pem", "/etc/kubernetes/ssl/etcd.pem", "/etc/kubernetes/ssl/etcd-client.pem", "/etc/kubernetes/ssl/ca.pem", "/etc/kubernetes/ssl/kube-proxy.pem",
    ]);
    expect(rows.every((r) => r.note === "")).toBe(true);
  });
});

describe("failures on machines", () => {
  it("a machine powered off mid-play is unreachable while the others finish; a re-run after it is back converges", async () => {
    const victim = lab.machines[1]!;
    const marker = "/var/tmp/easy-kube-poweroff-test";
    const playbook: Playbook = {
      name: "power",
      plays: [
        {
          name: "power",
          hosts: "lab",
          gatherFacts: false,
          tasks: [
            { name: "before", action: () => command({ cmd: "true", readOnly: true }) },
            { name: "slow", action: () => command({ cmd: "sleep 4", readOnly: true }) },
            { name: "after", action: () => command({ cmd: `touch ${marker}`, creates: marker }) },
          ],
        },
      ],
    };
    // Fast keepalives so the lost machine is noticed in seconds (ServerAliveInterval, as with ssh).
    const inventoryWithKeepalive = join(lab.config.inventoryDir, "hosts-keepalive");
    writeFileSync(
      inventoryWithKeepalive,
      readFileSync(lab.inventoryFile, "utf8").replace("ansible_ssh_common_args='", "ansible_ssh_common_args='-o ServerAliveInterval=1 -o ServerAliveCountMax=2 "),
    );
    const running = runCollecting(playbook, inventoryWithKeepalive);
    await new Promise((r) => setTimeout(r, 1500));
    await labPowerOff(lab.config, victim.name);
    const run = await running;
    expect(run.exitCode).toBe(4);
    expect(statuses(run.results, "slow")).toContain(`${victim.name}:unreachable`);
    expect(statuses(run.results, "after")).toEqual(lab.machines.filter((m) => m !== victim).map((m) => `${m.name}:changed`));
    expect(run.stats[victim.name]).toMatchObject({ unreachable: 1 });

    await labUp(lab.config, 3);
    const again = await runCollecting(playbook, inventoryWithKeepalive);
    expect(again.exitCode).toBe(0);
    expect(statuses(again.results, "after")).toEqual(lab.machines.map((m) => `${m.name}:${m === victim ? "changed" : "ok"}`));
  }, 120_000);

  it("refuses a rebuilt machine whose host key changed, saying how to fix it", async () => {
    const victim = lab.machines[2]!;
    const knownHosts = join(lab.config.stateDir, "known_hosts");
    const trusted = join(lab.config.stateDir, "known_hosts.before-rebuild");
    copyFileSync(knownHosts, trusted);
    const machine = machineAt(lab.config, 2);
    await stopMachine(lab.config, machine);
    wipeMachine(machine);
    await labUp(lab.config, 3);
    const inventory = loadInventory([lab.inventoryFile]);
    const settings = connectionSettings(victim.name, { ...inventory.hostVars(victim.name).vars, ansible_ssh_common_args: `-o UserKnownHostsFile=${trusted}` });
    const connection = new SshConnection(settings);
    connections.push(connection);
    await expect(connection.run("true")).rejects.toThrow(new RegExp(`HOST KEY CHANGED for ${victim.address.replace(/\./g, "\\.")}: .*ssh-keygen -R '${victim.address.replace(/\./g, "\\.")}'`));
  }, 120_000);

  it("reset puts every machine back to the clean base, booted and reachable", async () => {
    const reset = await labReset(lab.config);
    expect(reset.machines).toHaveLength(3);
    for (const machine of lab.machines) {
      const state = await connect(machine.name).run("test -e /etc/systemd/system/easy-kube-sample.service && echo kept || echo clean; command -v tree || true");
      expect(state.stdout).toBe("clean\n");
    }
  }, 120_000);
});
