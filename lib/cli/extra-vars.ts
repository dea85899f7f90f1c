/**
 * `-e` as ansible-playbook reads it: `key=value key2=value2` (values stay strings; quotes group
 * words), JSON or YAML text, or `@file.yml`. Later -e options override earlier ones.
 */
import { readFileSync } from "node:fs";
import { EasyKubeError } from "../errors.js";
import type { Vars } from "../inventory/model.js";
import { shlexSplit } from "../inventory/shlex.js";
import { parseYamlFile } from "../inventory/yaml-file.js";

export function parseExtraVars(options: readonly string[]): Vars {
  const vars: Vars = {};
  for (const option of options) Object.assign(vars, parseOne(option));
  return vars;
}

function parseOne(option: string): Vars {
  if (option.startsWith("@")) {
    const file = option.slice(1);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new EasyKubeError(`-e ${option}: cannot read ${file}: ${(error as Error).message}`);
    }
    return asMapping(parseYamlFile(text, file).value, option);
  }
  const trimmed = option.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("---")) return asMapping(parseYamlFile(trimmed, "-e").value, option);
  const vars: Vars = {};
  for (const word of shlexSplit(option)) {
    const equals = word.indexOf("=");
    if (equals <= 0) throw new EasyKubeError(`-e '${option}': expected key=value, JSON, YAML or @file, got '${word}'`);
    vars[word.slice(0, equals)] = word.slice(equals + 1);
  }
  return vars;
}

function asMapping(value: unknown, option: string): Vars {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new EasyKubeError(`-e ${option}: expected a mapping of variable names to values`);
  return value as Vars;
}
