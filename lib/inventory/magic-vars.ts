/**
 * A host's variables as plays see them: the inventory's (with -e on top), plus Ansible's magic
 * variables (inventory_hostname, group_names, inventory_dir, ...), with {{ var }} references
 * resolved. One place, so the runner and the commands around it (bundle, certs) agree.
 */
import type { Inventory } from "./inventory.js";
import type { Vars } from "./model.js";
import { interpolateVars } from "../vars/interpolate.js";

export function hostVarsWithMagic(inventory: Inventory, host: string, extraVars: Vars = {}): { vars: Vars; origins: Map<string, string> } {
  const resolved = inventory.hostVars(host, extraVars);
  const magic = {
    inventory_hostname: host,
    inventory_hostname_short: host.split(".")[0],
    group_names: inventory.groupNames(host),
    inventory_dir: inventory.baseDirs[0],
  };
  return { vars: interpolateVars({ ...magic, ...resolved.vars }), origins: resolved.origins };
}
