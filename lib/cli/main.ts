/**
 * The `easy-kube` command: tools around the playbooks.
 *   easy-kube inventory -i INV (--list | --graph [GROUP] | --host HOST)
 *   easy-kube exec -i INV PATTERN [-b] [-f N] -- COMMAND...
 *   easy-kube ping -i INV [PATTERN]
 *   easy-kube lab up [N] | status | reset | down
 *   easy-kube bundle -i INV
 */
import { parseArgs } from "node:util";
import { EasyKubeError } from "../errors.js";
import { inventoryGraph, inventoryList } from "../inventory/ansible-view.js";
import { loadInventory } from "../inventory/load.js";
import { DEFAULT_FORKS } from "../runner/run-playbook.js";
import { runAdhoc } from "./adhoc.js";
import { bundleCommand } from "./bundle-command.js";
import { certsCommand } from "./certs-command.js";
import { labCommand } from "./lab-command.js";
import { EXIT } from "./playbook-cli.js";
import { pythonJson } from "../inventory/python-json.js";

const USAGE = `usage: easy-kube <command> [options]

commands:
  inventory -i INV --list | --graph [GROUP] | --host HOST
                         print the inventory as ansible-inventory does
  exec -i INV PATTERN [-b] [-f N] [-u USER] -- COMMAND...
                         run a shell command on the matched hosts in parallel
  ping -i INV [PATTERN]  check that every matched host is reachable over SSH
  lab up [N] | status | reset | down
                         local test machines (systemd-nspawn) with a generated inventory
  bundle -i INV [-e VAR=VALUE] [--components LIST]
                         fill the local binary bundle the roles install from
  certs status -i INV [--hosts] [--warn-days N]
                         every certificate with its names, issuer and expiry (also on the hosts)

common options: -i/--inventory (repeatable), -u/--user, --private-key, -b/--become,
  --become-user, -f/--forks, -T/--timeout, --accept-new-host-keys`;

const COMMON = {
  inventory: { type: "string", short: "i", multiple: true },
  user: { type: "string", short: "u" },
  "private-key": { type: "string" },
  become: { type: "boolean", short: "b" },
  "become-user": { type: "string" },
  forks: { type: "string", short: "f" },
  timeout: { type: "string", short: "T" },
  "accept-new-host-keys": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "inventory":
      return inventoryCommand(rest);
    case "exec":
      return execCommand(rest, false);
    case "ping":
      return execCommand(rest, true);
    case "lab":
      return labCommand(rest);
    case "certs":
      return certsCommand(rest);
    case "bundle":
      return bundleCommand(rest);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE + "\n");
      return command === undefined ? EXIT.badOptions : EXIT.ok;
    default:
      throw new EasyKubeError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

function inventorySources(values: { inventory?: string[] }): string[] {
  const sources = values.inventory ?? process.env["ANSIBLE_INVENTORY"]?.split(",").filter(Boolean) ?? [];
  if (sources.length === 0) throw new EasyKubeError("no inventory given: use -i PATH (or set ANSIBLE_INVENTORY)");
  return sources;
}

function inventoryCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...COMMON, list: { type: "boolean" }, graph: { type: "boolean" }, host: { type: "string" } },
  });
  const inventory = loadInventory(inventorySources(values));
  if (values.list) process.stdout.write(pythonJson(inventoryList(inventory)) + "\n");
  else if (values.graph) {
    const group = positionals[0] ?? "all";
    if (!inventory.data.groups.has(group)) throw new EasyKubeError(`--graph needs a group name; '${group}' is not a group`);
    process.stdout.write(inventoryGraph(inventory, group) + "\n");
  } else if (values.host) {
    if (!inventory.hasHost(values.host)) throw new EasyKubeError(`host '${values.host}' is not in the inventory`);
    process.stdout.write(pythonJson(inventory.hostVars(values.host).vars) + "\n");
  } else throw new EasyKubeError("inventory needs one of --list, --graph or --host HOST");
  return EXIT.ok;
}

async function execCommand(argv: string[], ping: boolean): Promise<number> {
  const separator = argv.indexOf("--");
  const own = separator >= 0 ? argv.slice(0, separator) : argv;
  const remote = separator >= 0 ? argv.slice(separator + 1) : [];
  const { values, positionals } = parseArgs({ args: own, allowPositionals: true, options: COMMON });
  const pattern = positionals[0] ?? (ping ? "all" : undefined);
  if (!pattern) throw new EasyKubeError("exec needs a host pattern: easy-kube exec -i INV PATTERN -- COMMAND");
  if (!ping && remote.length === 0) throw new EasyKubeError("exec needs a command after '--': easy-kube exec -i INV PATTERN -- COMMAND");
  const forks = values.forks === undefined ? DEFAULT_FORKS : Number(values.forks);
  return runAdhoc({
    inventory: loadInventory(inventorySources(values)),
    pattern,
    command: ping ? "echo pong" : remote.join(" "),
    forks,
    ping,
    out: process.stdout,
    connection: {
      user: values.user,
      privateKeyFile: values["private-key"],
      become: values.become ? true : undefined,
      becomeUser: values["become-user"],
      hostKeyPolicy: values["accept-new-host-keys"] ? "accept-new" : undefined,
      connectTimeoutSeconds: values.timeout === undefined ? undefined : Number(values.timeout),
    },
  });
}
