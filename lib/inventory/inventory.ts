/**
 * A loaded inventory: the group graph plus every host's variables merged with Ansible's precedence
 * (lowest first): [all:vars] < other groups' inventory vars (by depth, priority, name) <
 * group_vars/all < group_vars/<group> (same order) < the host's inventory vars < host_vars/<host> <
 * extra vars (-e).
 */
import { loadEntityVars } from "./vars-files.js";
import type { InventoryData, InventoryGroup, InventoryHost, Vars } from "./model.js";

export interface ResolvedVars {
  readonly vars: Vars;
  /** Where each variable's winning value was set (`file:line`, or `-e`). */
  readonly origins: Map<string, string>;
}

export class Inventory {
  private readonly groupVarsCache = new Map<string, ResolvedVars>();
  private readonly hostVarsCache = new Map<string, ResolvedVars>();

  constructor(
    readonly data: InventoryData,
    readonly baseDirs: readonly string[],
  ) {}

  /** Every host, in inventory order. */
  hostNames(): string[] {
    return this.data.group("all").allHosts().map((h) => h.name);
  }

  hasHost(name: string): boolean {
    return this.data.hosts.has(name);
  }

  host(name: string): InventoryHost {
    const host = this.data.hosts.get(name);
    if (!host) throw new Error(`unknown host '${name}'`);
    return host;
  }

  /** Group names a host belongs to, sorted, without `all` (Ansible's `group_names`). */
  groupNames(name: string): string[] {
    return this.host(name)
      .groups()
      .map((g) => g.name)
      .filter((g) => g !== "all")
      .sort();
  }

  /** Host names of a group and its descendants; an empty list for an unknown group. */
  groupHosts(name: string): string[] {
    return this.data.groups.get(name)?.allHosts().map((h) => h.name) ?? [];
  }

  hostVars(name: string, extraVars: Vars = {}): ResolvedVars {
    const host = this.host(name);
    const vars: Vars = {};
    const origins = new Map<string, string>();
    const merge = (layer: ResolvedVars | { vars: Vars; origins: Map<string, string> }) => {
      for (const [key, value] of Object.entries(layer.vars)) {
        vars[key] = value;
        const origin = layer.origins.get(key);
        if (origin) origins.set(key, origin);
      }
    };
    const all = this.data.group("all");
    const groups = sortGroups(host.groups().filter((g) => g !== all));
    merge(all);
    for (const group of groups) merge(group);
    merge(this.groupFileVars(all));
    for (const group of groups) merge(this.groupFileVars(group));
    merge(host);
    merge(this.fileVars(this.hostVarsCache, "host_vars", host.name));
    merge({ vars: extraVars, origins: new Map(Object.keys(extraVars).map((k) => [k, "-e"])) });
    return { vars, origins };
  }

  private groupFileVars(group: InventoryGroup): ResolvedVars {
    return this.fileVars(this.groupVarsCache, "group_vars", group.name);
  }

  /** group_vars/<name> or host_vars/<name> beside every inventory source, read once. */
  private fileVars(cache: Map<string, ResolvedVars>, kind: "group_vars" | "host_vars", name: string): ResolvedVars {
    let cached = cache.get(name);
    if (!cached) {
      const vars: Vars = {};
      const origins = new Map<string, string>();
      for (const dir of this.baseDirs) {
        const found = loadEntityVars(dir, kind, name);
        Object.assign(vars, found.vars);
        for (const [key, origin] of found.origins) origins.set(key, origin);
      }
      cached = { vars, origins };
      cache.set(name, cached);
    }
    return cached;
  }
}

/** Ansible's sort_groups: shallow groups first, then by ansible_group_priority, then by name. */
export function sortGroups(groups: InventoryGroup[]): InventoryGroup[] {
  return [...groups].sort((a, b) => a.depth - b.depth || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
