/**
 * Loads inventory sources the way `ansible-playbook -i` does: a file (YAML by extension or content,
 * otherwise INI), a directory (every file in it, sorted, skipping what Ansible skips), or a
 * comma-separated host list such as `10.0.0.1,10.0.0.2`. Several sources merge into one inventory.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { InputError } from "../errors.js";
import { parseIniInventory } from "./ini.js";
import { Inventory } from "./inventory.js";
import { expandHostPattern } from "./host-pattern.js";
import { InventoryData } from "./model.js";
import { parseYamlInventory } from "./yaml-inventory.js";

const IGNORED_NAMES = [/^\./, /^host_vars$/, /^group_vars$/, /^vars_plugins$/];
const IGNORED_EXTENSIONS = [".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry"];
const YAML_EXTENSIONS = [".yml", ".yaml", ".json"];

export function loadInventory(sources: readonly string[]): Inventory {
  const data = new InventoryData();
  const baseDirs: string[] = [];
  for (const source of sources) {
    if (!existsSync(source) && source.includes(",")) {
      addHostList(data, source);
      continue;
    }
    if (!existsSync(source)) throw new InputError(source, "inventory not found: expected a file, a directory or a comma-separated host list");
    const path = resolve(source);
    const isDirectory = statSync(path).isDirectory();
    baseDirs.push(isDirectory ? path : dirname(path));
    if (isDirectory) loadDirectory(data, path);
    else loadFile(data, path);
  }
  data.reconcile();
  const inventory = new Inventory(data, baseDirs);
  // Read every group_vars/host_vars file now, so a broken one is reported before anything else.
  for (const host of inventory.hostNames()) inventory.hostVars(host);
  return inventory;
}

function loadDirectory(data: InventoryData, dir: string): void {
  for (const entry of readdirSync(dir).sort()) {
    if (IGNORED_NAMES.some((re) => re.test(entry)) || IGNORED_EXTENSIONS.some((ext) => entry.endsWith(ext))) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) loadDirectory(data, path);
    else loadFile(data, path);
  }
}

function loadFile(data: InventoryData, file: string): void {
  const text = readFileSync(file, "utf8");
  if (YAML_EXTENSIONS.includes(extname(file)) || looksLikeYamlInventory(text)) parseYamlInventory(data, text, file);
  else parseIniInventory(data, text, file);
}

/** A YAML inventory without a .yml extension starts with `---` or a top-level `all:`-style key. */
function looksLikeYamlInventory(text: string): boolean {
  const firstLine = text.split("\n").find((line) => line.trim() && !line.trim().startsWith("#"));
  return firstLine !== undefined && (/^---\s*$/.test(firstLine) || /^[A-Za-z0-9_]+:\s*$/.test(firstLine));
}

/** `-i host1,host2,` as Ansible's host_list plugin reads it. */
function addHostList(data: InventoryData, list: string): void {
  for (const item of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    const { hosts, port } = expandHostPattern(item);
    for (const host of hosts) data.addHost(host, "ungrouped", port);
  }
}
