/**
 * Builds JavaScript values from a parsed YAML document the way PyYAML's SafeConstructor builds
 * Python ones (yaml/constructor.py): merges (`<<`) flattened as `flatten_mapping` does, aliases
 * sharing one value, and mapping keys named as Python's `json` prints them (`1`, `true`, `null`,
 * `1e+16`), with keys Python holds equal (`1`, `1.0` and `true`) being one key.
 *
 * The Python type and line of every key stay available through `mappingKeys`, so a reader can
 * refuse a key that is not a string (Ansible refuses such host and group names).
 */
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import { yaml } from "../util/lazy-yaml.js";
import { InputError, locate } from "../errors.js";
import { constructBigInt, MERGE_KEY, VALUE_KEY, type PythonScalarType } from "./pyyaml-scalars.js";

export interface YamlKey {
  readonly line: number | undefined;
  readonly pythonType: PythonScalarType;
  /** The key as written in the file. */
  readonly source: string;
}

const keysOfMappings = new WeakMap<object, Map<string, YamlKey>>();

/** The keys of a mapping built by `constructDocument`, by their name in the built object. */
export function mappingKeys(mapping: object): ReadonlyMap<string, YamlKey> {
  return keysOfMappings.get(mapping) ?? new Map();
}

export function constructDocument(document: Document.Parsed, lineCounter: LineCounter, file: string): unknown {
  return new PyyamlConstructor(document, lineCounter, file).construct(document.contents);
}

type ParsedPair = Pair<unknown, unknown>;

class PyyamlConstructor {
  private readonly aliasTargets = new Map<Node, Node>();
  private readonly built = new Map<unknown, unknown>();

  constructor(
    document: Document.Parsed,
    private readonly lineCounter: LineCounter,
    private readonly file: string,
  ) {
    // An alias names the last node with that anchor before it in the file (PyYAML's composer).
    const anchors = new Map<string, Node>();
    yaml.visit(document, {
      Node: (_key, node) => {
        if (yaml.isAlias(node)) {
          const target = anchors.get(node.source);
          if (target) this.aliasTargets.set(node, target);
        } else if (node.anchor) anchors.set(node.anchor, node);
      },
    });
  }

  construct(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    const target = this.deref(node);
    if (this.built.has(target)) return this.built.get(target);
    if (yaml.isScalar(target)) {
      if (target.value === VALUE_KEY || target.value === MERGE_KEY) {
        throw this.error(target, `could not determine a constructor for the tag '${String(target.value.description)}' (a plain \`${target.source}\` outside a key; quote it)`);
      }
      this.built.set(target, target.value);
      return target.value;
    }
    if (yaml.isSeq(target)) {
      const list: unknown[] = [];
      this.built.set(target, list);
      for (const item of target.items) list.push(this.construct(item));
      return list;
    }
    if (yaml.isMap(target)) return this.constructMapping(target as YAMLMap<unknown, unknown>);
    throw this.error(target, "unsupported YAML node");
  }

  private constructMapping(node: YAMLMap<unknown, unknown>): Record<string, unknown> {
    const mapping: Record<string, unknown> = {};
    const keys = new Map<string, YamlKey>();
    const namesByPythonKey = new Map<string, string>();
    this.built.set(node, mapping);
    keysOfMappings.set(mapping, keys);
    for (const pair of this.flatten(node)) {
      const keyNode = this.deref(pair.key);
      if (!yaml.isScalar(keyNode)) throw this.error(keyNode ?? node, "found unacceptable key (a mapping or list cannot be a mapping key)");
      const key: YamlKey = { line: this.line(keyNode), pythonType: pythonTypeOf(keyNode), source: String(keyNode.source ?? keyNode.value) };
      const value = keyNode.value === VALUE_KEY ? "=" : keyNode.value;
      const pythonKey = `${key.pythonType === "str" || key.pythonType === "timestamp" ? key.pythonType : "number"}:${pythonNumber(value)}`;
      // Python keeps the first of equal keys (`1` then `true`) and the last value.
      const name = namesByPythonKey.get(pythonKey) ?? jsonKeyName(value, key);
      namesByPythonKey.set(pythonKey, name);
      Object.defineProperty(mapping, name, { value: this.construct(pair.value), enumerable: true, writable: true, configurable: true });
      const earlier = keys.get(name);
      // A later string key of the same name must not hide an earlier key that is not a string.
      if (!earlier || earlier.pythonType === "str" || key.pythonType !== "str") keys.set(name, key);
    }
    return mapping;
  }

  /** The pairs of a mapping with `<<` merges expanded, as PyYAML's `flatten_mapping` orders them. */
  private flatten(node: YAMLMap<unknown, unknown>): ParsedPair[] {
    const merged: ParsedPair[] = [];
    const own: ParsedPair[] = [];
    for (const pair of node.items) {
      if (!isMergeKey(this.deref(pair.key))) {
        own.push(pair);
        continue;
      }
      const source = this.deref(pair.value);
      if (yaml.isMap(source)) merged.push(...this.flatten(source as YAMLMap<unknown, unknown>));
      else if (yaml.isSeq(source)) {
        const flattened = source.items.map((item) => {
          const map = this.deref(item);
          if (!yaml.isMap(map)) throw this.error(map ?? source, "expected a mapping for merging");
          return this.flatten(map as YAMLMap<unknown, unknown>);
        });
        // Later mappings of the list are overridden by earlier ones: they go in first.
        for (const pairs of flattened.reverse()) merged.push(...pairs);
      } else throw this.error(source ?? pair.key, "expected a mapping or list of mappings for merging");
    }
    return [...merged, ...own];
  }

  private deref<T>(node: T): T | Node {
    return yaml.isAlias(node) ? (this.aliasTargets.get(node) ?? node) : node;
  }

  private line(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] }).range;
    return range ? this.lineCounter.linePos(range[0]).line : undefined;
  }

  private error(node: unknown, problem: string): InputError {
    return new InputError(locate(this.file, this.line(node)), problem);
  }
}

function isMergeKey(key: unknown): boolean {
  return yaml.isScalar(key) && key.value === MERGE_KEY;
}

function pythonTypeOf(node: { format?: string; tag?: string }): PythonScalarType {
  return (node.format as PythonScalarType | undefined) ?? "str";
}

/** Numbers, booleans and None compare as Python compares them (`True == 1 == 1.0`). */
function pythonNumber(value: unknown): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  return String(value);
}

/** The name Python's `json.dumps` gives a key of this type. */
function jsonKeyName(value: unknown, { pythonType: type, source }: YamlKey): string {
  if (type === "NoneType") return "null";
  if (type === "bool") return value ? "true" : "false";
  // From the text: Python's int has every digit of `12345678901234567890`, a JS number does not.
  if (type === "int") return constructBigInt(source).toString();
  if (type === "float" && typeof value === "number") return pythonFloatRepr(value);
  return String(value);
}

/** Python's `repr()` of a float (shortest round-trip digits; exponent below 1e-4 and from 1e16). */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa = "", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = value < 0 ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${shown}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  return `${sign}${digits.slice(0, exponent + 1).padEnd(exponent + 1, "0")}.${digits.slice(exponent + 1) || "0"}`;
}
