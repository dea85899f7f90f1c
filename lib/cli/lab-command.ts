/**
 * `easy-kube lab up [N] | status | down | reset`: local test machines for trying playbooks before
 * real servers. The inventory goes to inventory/lab/ (or --inventory-dir).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { EasyKubeError } from "../errors.js";
import { labConfig } from "../lab/lab-config.js";
import { labDown, labReset, labStatus, labUp } from "../lab/lab.js";

export const LAB_USAGE = `usage: easy-kube lab up [N] [--containers] [--masters M] [--packages P,...] | status | down | reset  [--name NAME] [--inventory-dir DIR]

  up [N]     boot N machines (default 3; idempotent: running ones are kept, extra ones removed)
             and write DIR/hosts (DIR defaults to inventory/lab); --containers (or --docker):
             machines that can run containers with containerd or Docker, and kubelet (a lab keeps
             the profile it was created with); --masters M: the first M
             machines are kube_master (default 1; with 2 or more the machines are offered haproxy
             for the nodes' local apiserver proxy); --packages: Debian packages the machines can
             install with apt (the lab has no mirror: it serves them from a local repository)
  status     list the machines, whether they run and answer on SSH
  reset      put every machine back to the clean base system, and boot it again
  down       remove machines, mounts, cgroups, bridge, firewall rules (the cached base stays)`;

export async function labCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string" }, "inventory-dir": { type: "string" }, containers: { type: "boolean" }, docker: { type: "boolean" }, masters: { type: "string" }, packages: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [action, countText] = positionals;
  if (values.help || !action) {
    process.stdout.write(LAB_USAGE + "\n");
    return values.help ? 0 : 5;
  }
  const name = values.name ?? "default";
  if (!/^[a-z][a-z0-9]{0,9}$/.test(name)) throw new EasyKubeError(`lab name '${name}': use 1-10 lower-case letters and digits`);
  const config = labConfig(name, resolve(values["inventory-dir"] ?? (name === "default" ? "inventory/lab" : `inventory/lab-${name}`)));
  const log = (line: string) => process.stderr.write(`lab: ${line}\n`);
  switch (action) {
    case "up": {
      const started = Date.now();
      const count = countText === undefined ? 3 : Number(countText);
      const masters = values.masters === undefined ? 1 : Number(values.masters);
      // Several masters: site.ts puts the local apiserver proxy (haproxy, from the OS packages) on every machine.
      const packages = [...(values.packages ?? "").split(",").filter(Boolean), ...(masters > 1 ? ["haproxy"] : [])];
      const containers = values.containers || values.docker;
      const result = await labUp(config, count, log, { profile: containers ? "docker" : undefined, masters, packages });
      process.stdout.write(
        `lab '${name}' is up: ${result.machines.map((m) => `${m.name} (${m.address})`).join(", ")} in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
          `inventory: ${result.inventoryFile}\n` +
          (containers
            ? `next: npx easy-kube bundle -i ${config.inventoryDir} && npx tsx playbooks/site.ts -i ${config.inventoryDir}\n`
            : `try: npx tsx playbooks/sample.ts -i ${config.inventoryDir} (site.ts needs machines that run containers: lab up --containers)\n`),
      );
      return 0;
    }
    case "status": {
      const machines = await labStatus(config);
      if (machines.length === 0) process.stdout.write(`lab '${name}' has no machines\n`);
      for (const m of machines) process.stdout.write(`${m.name.padEnd(12)} ${m.address.padEnd(15)} ${m.running ? "running" : "stopped"}${m.running ? (m.sshReachable ? ", ssh ok" : ", ssh not answering") : ""}\n`);
      return machines.every((m) => m.running && m.sshReachable) ? 0 : 1;
    }
    case "reset":
      await labReset(config, log);
      process.stdout.write(`lab '${name}' reset to the clean base\n`);
      return 0;
    case "down":
      await labDown(config, log);
      process.stdout.write(`lab '${name}' removed\n`);
      return 0;
    default:
      throw new EasyKubeError(`unknown lab action '${action}'\n\n${LAB_USAGE}`);
  }
}
