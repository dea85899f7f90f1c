/**
 * The two views `ansible-inventory` prints: `--list` (groups with hosts and children, plus
 * `_meta.hostvars`) and `--graph`. Same shape and content as Ansible's, so users can diff them.
 */
import type { Inventory } from "./inventory.js";
import type { InventoryGroup } from "./model.js";

export type AnsibleList = Record<string, unknown> & { _meta: { hostvars: Record<string, Record<string, unknown>> } };

export function inventoryList(inventory: Inventory): AnsibleList {
  const result: Record<string, unknown> = {};
  const seen = new Set<string>();
  const formatGroup = (group: InventoryGroup) => {
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (group.name !== "all" && group.hosts.length > 0) entry.hosts = group.hosts.map((h) => h.name);
    const children: string[] = [];
    result[group.name] = entry;
    for (const child of group.children) {
      children.push(child.name);
      if (!seen.has(child.name)) {
        seen.add(child.name);
        formatGroup(child);
      }
    }
    if (children.length > 0) entry.children = children;
    if (Object.keys(entry).length === 0) delete result[group.name];
  };
  formatGroup(inventory.data.group("all"));
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const name of inventory.hostNames()) {
    const { vars } = inventory.hostVars(name);
    if (Object.keys(vars).length > 0) hostvars[name] = vars;
  }
  return { ...result, _meta: { hostvars } };
}

export function inventoryGraph(inventory: Inventory, start = "all"): string {
  const lines: string[] = [];
  const name = (text: string, depth: number) => (depth ? "  |".repeat(depth) + "--" + text : text);
  const graph = (group: InventoryGroup, depth: number) => {
    lines.push(name(`@${group.name}:`, depth));
    for (const child of group.children) graph(child, depth + 1);
    if (group.name !== "all") for (const host of group.hosts) lines.push(name(host.name, depth + 1));
  };
  graph(inventory.data.group(start), 0);
  return lines.join("\n");
}
