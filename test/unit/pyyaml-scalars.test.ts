/**
 * Plain scalars must read as Ansible reads them. A fixed table of tricky texts is read by python3 +
 * PyYAML (SafeLoader: the resolvers and constructor Ansible's loader uses) and by easy-kube, as a
 * value and as a mapping key; type, value and the key's JSON name must agree, and where PyYAML
 * refuses a text easy-kube must refuse it too.
 */
import { describe, expect, it } from "vitest";
import { mappingKeys, pythonFloatRepr } from "../../lib/inventory/pyyaml-document.js";
import { parseYamlFile } from "../../lib/inventory/yaml-file.js";
import { pyyamlReadScalars, scalarDocument } from "../helpers/pyyaml.js";
import { TRICKY_SCALARS as CASES } from "../helpers/tricky-scalars.js";

/** The JavaScript kind a Python type must arrive as (dates are isoformat() text here). */
const KIND: Record<string, string> = { int: "number", float: "number", bool: "boolean", NoneType: "null", str: "string", date: "string", datetime: "string" };

const kindOf = (value: unknown) => (value === null ? "null" : typeof value);

/** The key's value as Python's reading holds it (a bool key named `true` is `true`, ...). */
function keyValue(name: string, type: string): unknown {
  if (type === "bool") return name === "true";
  if (type === "NoneType") return null;
  if (type === "int" || type === "float") return Number(name);
  return name;
}

describe("plain scalars read as PyYAML reads them", () => {
  const python = pyyamlReadScalars(CASES);
  CASES.forEach((text, index) => {
    it(JSON.stringify(text), () => {
      const expected = python[index]!;
      let document: Record<string, unknown>;
      try {
        document = parseYamlFile(scalarDocument(text), "case.yml").value as Record<string, unknown>;
      } catch (error) {
        expect("error" in expected, `PyYAML reads it, easy-kube refused: ${(error as Error).message}`).toBe(true);
        expect((error as Error).message).toMatch(/^case\.yml:\d+: /);
        return;
      }
      if ("error" in expected) expect.fail(`PyYAML refuses it (${expected.error}), easy-kube read ${JSON.stringify(document)}`);
      const value = document["v"];
      expect({ kind: kindOf(value), value }).toEqual({ kind: KIND[expected.value.type], value: expected.value.value });
      const [name, key] = [...mappingKeys(document)].find(([keyName]) => keyName !== "v")!;
      // Python's type for a timestamp is date or datetime; both are isoformat() text here.
      const type = key.pythonType === "timestamp" ? (name.includes("T") ? "datetime" : "date") : key.pythonType;
      expect(type).toBe(expected.key.type);
      // A date key has no JSON name in Python (json.dumps refuses it).
      if (expected.keyName !== null) expect(name).toBe(expected.keyName);
      expect(keyValue(name, type)).toEqual(expected.key.value);
    });
  });
});

describe("Python's float repr, which names float keys", () => {
  it.each([
    [1, "1.0"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-1.5e-7, "-1.5e-07"],
    [123.456, "123.456"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-0, "-0.0"],
  ])("%s is %s", (value, repr) => expect(pythonFloatRepr(value)).toBe(repr));
});
