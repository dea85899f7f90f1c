/**
 * YAML as Ansible reads it: PyYAML's resolvers and constructor (pyyaml-scalars.ts,
 * pyyaml-document.ts), so `yes`/`no` are booleans, `0755` is octal, `e5` and `1e3` stay strings,
 * duplicate keys keep the last value; with errors that carry file and line, and the line of every
 * top-level key so later checks can point at the exact place a variable was set.
 */
import { yaml } from "../util/lazy-yaml.js";
import { InputError, locate } from "../errors.js";
import { constructDocument, mappingKeys } from "./pyyaml-document.js";
import { pyyamlScalarTags } from "./pyyaml-scalars.js";

export interface YamlFile {
  readonly value: unknown;
  /** Line of each top-level key, for pointing at where a variable was set. */
  readonly keyLines: Map<string, number>;
}

export function parseYamlFile(text: string, file: string): YamlFile {
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, {
    version: "1.1",
    schema: "failsafe",
    customTags: pyyamlScalarTags,
    merge: false, // merges are PyYAML's, in constructDocument
    uniqueKeys: false,
    lineCounter,
    prettyErrors: false,
  });
  const error = document.errors[0];
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new InputError(locate(file, line), `invalid YAML: ${error.message.split("\n")[0]}`);
  }
  const value = constructDocument(document, lineCounter, file);
  const keyLines = new Map<string, number>();
  if (typeof value === "object" && value !== null) {
    for (const [name, key] of mappingKeys(value)) if (key.line !== undefined) keyLines.set(name, key.line);
  }
  return { value, keyLines };
}
