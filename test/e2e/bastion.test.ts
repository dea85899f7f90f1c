/**
 * A bastion, as production networks have them: two lab machines, and the target's own firewall
 * (iptables inside it) accepts SSH only from the bastion's address. A direct connection fails;
 * ProxyJump and ProxyCommand through the bastion work, and a playbook runs through it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionSettings } from "../../lib/connection/settings.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import { LAB_USER, labConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { runInMachine } from "../../lib/lab/machine.js";
import { file } from "../../lib/ops/index.js";
import { runCollecting, statuses } from "../helpers/run.js";

const config = labConfig("bast", mkdtempSync(join(tmpdir(), "ek-bast-inventory-")));
let lab: LabUpResult;
let knownHosts: string;
const connections: SshConnection[] = [];
const bastion = () => lab.machines[0]!;
const target = () => lab.machines[1]!;

beforeAll(async () => {
  await labDown(config);
  lab = await labUp(config, 2);
  knownHosts = join(config.stateDir, "known_hosts");
  // Established sessions stay (the controller's own, if any); new SSH only from the bastion.
  runInMachine(
    target(),
    [
      "iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
      `iptables -A INPUT -p tcp --dport 22 -s ${bastion().address} -j ACCEPT`,
      "iptables -A INPUT -p tcp --dport 22 -j DROP",
    ].join(" && "),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await labDown(config);
});

/** The target as an inventory would give it, with these ssh arguments. */
function targetVars(sshArgs: string): Record<string, unknown> {
  return {
    ansible_host: target().address,
    ansible_user: LAB_USER,
    ansible_become: true,
    ansible_ssh_private_key_file: lab.privateKey,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts} -o ConnectTimeout=3 ${sshArgs}`,
  };
}

function connect(sshArgs: string): SshConnection {
  const connection = new SshConnection(connectionSettings(target().name, targetVars(sshArgs)));
  connections.push(connection);
  return connection;
}

const proxyCommand = () => `ssh -W %h:%p -i ${lab.privateKey} -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts} ${LAB_USER}@${bastion().address}`;

describe("a host reachable only through a bastion", () => {
  it("refuses a direct connection (the firewall works)", async () => {
    await expect(connect("").run("true")).rejects.toThrow(/cannot connect to .*timed out after 3 s/);
  }, 30_000);

  it("is reached with ProxyJump, and sees the bastion as its client", async () => {
    const ssh = connect(`-J ${LAB_USER}@${bastion().address}`);
    // As the login user: sudo would clear SSH_CLIENT.
    expect((await ssh.run("echo $SSH_CLIENT", { become: false })).stdout.split(/\s+/)[0]).toBe(bastion().address);
    expect((await ssh.run("id -un")).stdout).toBe("root\n");
  });

  it("is reached with ProxyCommand ssh -W", async () => {
    const result = await connect(`-o ProxyCommand="${proxyCommand()}"`).run("echo $SSH_CLIENT", { become: false });
    expect(result.stdout.split(/\s+/)[0]).toBe(bastion().address);
  });

  it("runs a playbook through the bastion, and the re-run changes nothing", async () => {
    const inventory = join(config.inventoryDir, "bastion-hosts");
    writeFileSync(
      inventory,
      [
        "[behind]",
        `${target().name} ansible_host=${target().address}`,
        "[behind:vars]",
        `ansible_user=${LAB_USER}`,
        "ansible_become=true",
        `ansible_ssh_private_key_file=${lab.privateKey}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o ProxyJump=${LAB_USER}@${bastion().address}'`,
        "",
      ].join("\n"),
    );
    const playbook = {
      name: "behind the bastion",
      plays: [{ name: "marker", hosts: "behind", gatherFacts: true, tasks: [{ name: "marker file", action: () => file({ path: "/etc/easy-kube-bastion-test", state: "file" as const, mode: "0644" }) }] }],
    };
    const first = await runCollecting(playbook, inventory);
    expect(first.exitCode).toBe(0);
    expect(statuses(first.results, "marker file")).toEqual([`${target().name}:changed`]);
    expect(readFileSync(join(target().root, "etc/easy-kube-bastion-test"), "utf8")).toBe("");
    const again = await runCollecting(playbook, inventory);
    expect(statuses(again.results, "marker file")).toEqual([`${target().name}:ok`]);
  }, 60_000);
});
