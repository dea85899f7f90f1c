/**
 * `group_vars/` and `host_vars/` beside an inventory, found the way Ansible's host_group_vars plugin
 * finds them: `<name>`, `<name>.yml`, `<name>.yaml` or `<name>.json` (first match wins), or a folder
 * `<name>/` whose files are read in sorted order, recursively, skipping hidden and backup files.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { InputError, locate } from "../errors.js";
import type { Vars } from "./model.js";
import { parseYamlFile } from "./yaml-file.js";

const EXTENSIONS = ["", ".yml", ".yaml", ".json"];

export interface VarsFromFiles {
  readonly vars: Vars;
  readonly origins: Map<string, string>;
}

export function loadEntityVars(baseDir: string, kind: "group_vars" | "host_vars", name: string): VarsFromFiles {
  const vars: Vars = {};
  const origins = new Map<string, string>();
  if (name.startsWith("/")) return { vars, origins };
  for (const file of findVarsFiles(join(baseDir, kind), name)) {
    const { value, keyLines } = parseYamlFile(readFileSync(file, "utf8"), file);
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new InputError(file, `expected a mapping of variable names to values, found ${Array.isArray(value) ? "a list" : typeof value}`);
    }
    for (const [key, item] of Object.entries(value)) {
      vars[key] = item;
      origins.set(key, locate(file, keyLines.get(key)));
    }
  }
  return { vars, origins };
}

function findVarsFiles(dir: string, name: string): string[] {
  for (const extension of EXTENSIONS) {
    const path = join(dir, name + extension);
    const stat = statOrUndefined(path);
    if (!stat) continue;
    return stat.isDirectory() ? filesBelow(path) : [path];
  }
  return [];
}

function filesBelow(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith(".") || entry.endsWith("~")) continue;
    const path = join(dir, entry);
    const extension = extname(entry);
    const stat = statSync(path);
    if (stat.isDirectory() && !extension) found.push(...filesBelow(path));
    else if (stat.isFile() && EXTENSIONS.includes(extension)) found.push(path);
  }
  return found;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
