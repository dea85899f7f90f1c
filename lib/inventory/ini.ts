/**
 * Reads an Ansible INI inventory into InventoryData exactly as ansible/plugins/inventory/ini.py
 * does: sections `[g]`, `[g:children]`, `[g:vars]`, groups referenced before they are declared,
 * shlex-split host lines and Python-literal values. Errors name the file and line.
 */
import { InputError, locate } from "../errors.js";
import { expandHostPattern } from "./host-pattern.js";
import { InventoryData } from "./model.js";
import { parsePythonLiteral } from "./python-literal.js";
import { shlexSplit } from "./shlex.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface PendingDeclaration {
  line: number;
  state: "vars" | "children";
  parents: string[];
}

export function parseIniInventory(data: InventoryData, text: string, file: string): void {
  const pending = new Map<string, PendingDeclaration>();
  let group = "ungrouped";
  let state = "hosts";
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const where = locate(file, lineNumber);
    const line = rawLine.trim();
    if (!line || line[0] === "#" || line[0] === ";") return;

    const section = SECTION.exec(line);
    if (section) {
      group = section[1]!;
      state = section[2] ?? "hosts";
      if (!["hosts", "children", "vars"].includes(state)) {
        throw new InputError(where, `section [${section[1]}:${state}] has unknown type '${state}': expected hosts, children or vars`);
      }
      if (!data.groups.has(group)) {
        // [g:vars] alone does not declare a group; it must be declared somewhere in the file.
        if (state === "vars" && !pending.has(group)) pending.set(group, { line: lineNumber, state: "vars", parents: [] });
        data.addGroup(group);
      }
      const declaration = pending.get(group);
      if (declaration && state !== "vars") {
        if (declaration.state === "children") addPendingChildren(data, group, pending);
        else pending.delete(group);
      }
      return;
    }
    if (line.startsWith("[") && line.endsWith("]")) {
      throw new InputError(where, `invalid section '${line}': a section is [group], [group:children] or [group:vars], without spaces`);
    }

    if (state === "hosts") parseHostLine(data, line, group, where);
    else if (state === "vars") {
      const equals = line.indexOf("=");
      if (equals < 0) throw new InputError(where, `expected key=value in [${group}:vars], got '${line}'`);
      const key = line.slice(0, equals).trim();
      data.setVariable(data.group(group), key, parsePythonLiteral(line.slice(equals + 1).trim()), where);
    } else {
      const child = GROUP_NAME.exec(line)?.[1];
      if (!child) throw new InputError(where, `expected a group name in [${group}:children], got '${line}'`);
      if (data.groups.has(child)) {
        wrap(where, () => data.addChild(group, child));
      } else {
        const declaration = pending.get(child);
        if (declaration) declaration.parents.push(group);
        else pending.set(child, { line: lineNumber, state: "children", parents: [group] });
      }
    }
  });

  for (const [name, declaration] of pending) {
    const where = locate(file, declaration.line);
    if (declaration.state === "vars") throw new InputError(where, `section [${name}:vars] is for group '${name}', which is never declared`);
    throw new InputError(where, `section [${declaration.parents.at(-1)}:children] includes group '${name}', which is never declared`);
  }
}

function addPendingChildren(data: InventoryData, group: string, pending: Map<string, PendingDeclaration>): void {
  for (const parent of pending.get(group)!.parents) {
    data.addChild(parent, group);
    if (pending.get(parent)?.state === "children") addPendingChildren(data, parent, pending);
  }
  pending.delete(group);
}

function parseHostLine(data: InventoryData, line: string, group: string, where: string): void {
  let words: string[];
  try {
    words = shlexSplit(line);
  } catch (error) {
    throw new InputError(where, `cannot split host line '${line}': ${(error as Error).message}`);
  }
  if (words.length === 0) return;
  const pattern = words[0]!;
  if (pattern.trim() === "---") throw new InputError(where, "'---' starts a YAML document; is this file YAML?");
  const { hosts, port } = wrap(where, () => expandHostPattern(pattern));
  if (pattern.trim().endsWith(":") && port === undefined) {
    throw new InputError(where, `host '${pattern}' ends in ':'; that character introduces a port number`);
  }
  const variables: [string, unknown][] = words.slice(1).map((word) => {
    const equals = word.indexOf("=");
    if (equals < 0) throw new InputError(where, `expected key=value after the host name, got '${word}'`);
    return [word.slice(0, equals), parsePythonLiteral(word.slice(equals + 1))];
  });
  for (const name of hosts) {
    const host = data.addHost(name, group, port);
    for (const [key, value] of variables) data.setVariable(host, key, value, where);
  }
}

function wrap<T>(where: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(where, (error as Error).message);
  }
}
