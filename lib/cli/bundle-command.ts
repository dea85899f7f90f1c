/**
 * `easy-kube bundle -i INV [-e VAR=VALUE] [--components etcd,docker]`: fills the bundle folder with
 * every component the inventory's hosts install from it, at their versions and architectures, and
 * prints what it holds. Runs on the control machine only; no host is contacted.
 */
import { parseArgs } from "node:util";
import { COMPONENTS, type ComponentName } from "../bundle/bundle-vars.js";
import { bundleStatus, fillBundle } from "../bundle/fill-bundle.js";
import { planBundle, type PlannedComponent } from "../bundle/bundle-plan.js";
import { EasyKubeError } from "../errors.js";
import { loadInventory } from "../inventory/load.js";
import { parseExtraVars } from "./extra-vars.js";

export const BUNDLE_USAGE = "usage: easy-kube bundle -i INV [-e VAR=VALUE]... [--components etcd,docker,kubernetes,cni,images] [--list]";

export async function bundleCommand(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l + "\n")): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      inventory: { type: "string", short: "i", multiple: true },
      "extra-vars": { type: "string", short: "e", multiple: true },
      components: { type: "string" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(BUNDLE_USAGE);
    return 0;
  }
  const sources = values.inventory ?? [];
  if (sources.length === 0) throw new EasyKubeError(`bundle needs the inventory: -i PATH\n${BUNDLE_USAGE}`);
  const only = values.components?.split(",").map((c) => c.trim()).filter(Boolean);
  for (const component of only ?? []) {
    if (!(COMPONENTS as readonly string[]).includes(component)) throw new EasyKubeError(`--components: unknown component '${component}' (known: ${COMPONENTS.join(", ")})`);
  }
  const inventory = loadInventory(sources);
  const planned = planBundle(inventory, parseExtraVars(values["extra-vars"] ?? []), only as ComponentName[] | undefined);
  if (planned.length === 0) {
    out("nothing to bundle: no etcd, kube_master or kube_node host installs from the bundle");
    return 0;
  }
  if (values.list) return listBundle(planned, out);
  for (const { bundleDir, request, hosts } of planned) {
    const label = `${request.component} ${request.version} ${request.arch}`;
    const report = await fillBundle(bundleDir, request, (line) => out(`  ${label}: ${line}`));
    out(`${report.status === "ok" ? "ok" : "filled"}: ${label} in ${bundleDir} (from ${report.origin}; for ${hosts.length} host${hosts.length === 1 ? "" : "s"})`);
    for (const warning of report.warnings) out(`  [WARNING] ${warning}`);
  }
  return 0;
}

/** --list: what the inventory needs (programs and images, versions, sources) and what is missing; fetches nothing. */
function listBundle(planned: PlannedComponent[], out: (line: string) => void): number {
  let missing = 0;
  for (const { bundleDir, request, hosts } of planned) {
    const { files, origin } = bundleStatus(bundleDir, request);
    const names = Object.keys(files);
    const absent = names.filter((f) => files[f] !== "ok");
    missing += absent.length;
    out(`${request.component} ${request.version} ${request.arch} from ${request.source} for ${hosts.length} host${hosts.length === 1 ? "" : "s"} in ${bundleDir}: ${absent.length === 0 ? "complete" : `${absent.length} of ${names.length} missing`}`);
    for (const name of names) out(`  ${files[name]!.padEnd(7)} ${name}`);
    if (origin && absent.length === 0) out(`  from ${origin}`);
  }
  if (missing > 0) out(`run \`easy-kube bundle\` with the same inventory to fill what is missing`);
  return 0;
}
