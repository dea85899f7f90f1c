/**
 * YAML as Ansible reads it (PyYAML, YAML 1.1: `yes`/`no` are booleans, `0755` is octal, duplicate
 * keys keep the last value), with errors that carry file and line, and the line of every top-level
 * key so later checks can point at the exact place a variable was set.
 */
import { LineCounter, parseDocument, isMap, isScalar } from "yaml";
import { InputError, locate } from "../errors.js";

export interface YamlFile {
  readonly value: unknown;
  /** Line of each top-level key, for pointing at where a variable was set. */
  readonly keyLines: Map<string, number>;
}

export function parseYamlFile(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { version: "1.1", uniqueKeys: false, merge: true, lineCounter, prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new InputError(locate(file, line), `invalid YAML: ${error.message.split("\n")[0]}`);
  }
  const keyLines = new Map<string, number>();
  if (isMap(document.contents)) {
    for (const pair of document.contents.items) {
      if (isScalar(pair.key) && pair.key.range) keyLines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
    }
  }
  return { value: document.toJS({ maxAliasCount: 10_000 }), keyLines };
}
