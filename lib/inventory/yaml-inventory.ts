/**
 * Reads an Ansible YAML inventory (`all: {hosts: ..., vars: ..., children: ...}`) into InventoryData
 * as ansible/plugins/inventory/yaml.py does. Host keys may be patterns with ranges and ports.
 */
import { InputError, locate } from "../errors.js";
import { expandHostPattern } from "./host-pattern.js";
import type { InventoryData } from "./model.js";
import { mappingKeys } from "./pyyaml-document.js";
import { parseYamlFile } from "./yaml-file.js";

const SECTIONS = ["vars", "children", "hosts"] as const;

export function parseYamlInventory(data: InventoryData, text: string, file: string): void {
  const { value } = parseYamlFile(text, file);
  if (value === null || value === undefined) throw new InputError(file, "the YAML inventory is empty");
  if (!isMapping(value)) throw new InputError(file, "a YAML inventory must be a mapping of group names, e.g. `all: {hosts: {...}}`");
  if ("plugin" in value) throw new InputError(file, "this is an inventory plugin configuration, which easy-kube does not run; list the hosts instead");
  for (const [name, body] of Object.entries(value)) parseGroup(data, requireStringKey(value, name, "group", "", file), body, file);
}

function parseGroup(data: InventoryData, name: string, body: unknown, file: string): string {
  if (body !== null && body !== undefined && !isMapping(body)) {
    throw new InputError(file, `group '${name}' must be a mapping with hosts, children or vars, found ${describe(body)}`);
  }
  const group = data.addGroup(name);
  if (!body) return name;
  for (const key of Object.keys(body)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      throw new InputError(file, `group '${name}' has key '${key}': only hosts, children and vars are allowed`);
    }
  }
  for (const section of SECTIONS) {
    let entries = body[section];
    if (typeof entries === "string") entries = { [entries]: null };
    if (entries === null || entries === undefined) continue;
    if (!isMapping(entries)) throw new InputError(file, `'${section}' of group '${name}' must be a mapping, found ${describe(entries)}`);
    if (section === "vars") {
      for (const [key, value] of Object.entries(entries)) data.setVariable(group, key, value, locate(file));
    } else if (section === "children") {
      for (const [child, childBody] of Object.entries(entries)) {
        requireStringKey(entries, child, "group", ` (a child of '${name}')`, file);
        parseGroup(data, child, childBody, file);
        try {
          data.addChild(name, child);
        } catch (error) {
          throw new InputError(file, (error as Error).message);
        }
      }
    } else {
      for (const [pattern, hostVars] of Object.entries(entries)) {
        addHosts(data, name, requireStringKey(entries, pattern, "host", ` in group '${name}'`, file), hostVars, file);
      }
    }
  }
  return name;
}

function addHosts(data: InventoryData, group: string, pattern: string, hostVars: unknown, file: string): void {
  if (hostVars !== null && hostVars !== undefined && !isMapping(hostVars)) {
    throw new InputError(file, `host '${pattern}' in group '${group}' must map to its variables, found ${describe(hostVars)}`);
  }
  let expanded: { hosts: string[]; port?: number };
  try {
    expanded = expandHostPattern(pattern);
  } catch (error) {
    throw new InputError(file, `host '${pattern}' in group '${group}': ${(error as Error).message}`);
  }
  for (const name of expanded.hosts) {
    const host = data.addHost(name, group, expanded.port);
    for (const [key, value] of Object.entries(hostVars ?? {})) data.setVariable(host, key, value, locate(file));
  }
}

const PYTHON_TYPE_NAMES: Record<string, string> = { int: "an integer", float: "a float", bool: "a boolean", NoneType: "null", timestamp: "a date" };

/**
 * Ansible refuses host and group names YAML reads as something other than a string (`1.5`, `yes`,
 * `2024-01-01`); reading them as text here would give a host Ansible never has.
 */
function requireStringKey(mapping: object, name: string, what: "host" | "group", context: string, file: string): string {
  const key = mappingKeys(mapping).get(name);
  if (!key || key.pythonType === "str") return name;
  const quoted = JSON.stringify(key.source);
  throw new InputError(locate(file, key.line), `${what} ${quoted}${context} is ${PYTHON_TYPE_NAMES[key.pythonType]} in YAML, not a name; quote it (${quoted}) as Ansible requires`);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "a list" : typeof value === "string" ? `the string '${value}'` : typeof value;
}
