import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { parsePythonLiteral } from "../../lib/inventory/python-literal.js";

/** Python itself is the reference: what Ansible's ast.literal_eval makes of each text, as JSON. */
function python(texts: string[]): unknown[] {
  const script = `
import ast, json, sys
out = []
for t in json.load(sys.stdin):
    try:
        v = ast.literal_eval(t.lstrip(" \\t"))
        if isinstance(v, tuple): v = list(v)
        if isinstance(v, (set, complex, bytes)): v = t
    except (ValueError, SyntaxError):
        v = t
    out.append(v)
print(json.dumps(out))`;
  return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(texts), encoding: "utf8" }));
}

const CASES = [
  "1", "-3", "+4", "0x1F", "0o17", "0b101", "1_000", "0755", "007", "0", "00", "1.5", ".5", "5.", "1e3", "1.5e-2", "1_0.5",
  "True", "False", "None", "true", "none",
  "'a'", '"b"', "'it''s'", "'a' 'b'", "'a' # comment", "'tab\\there'", "r'\\d+'", "u'uni'", "'\\x41\\u00e9'", "'''triple'''",
  "[1, 'two', None]", "[]", "[1,]", "(1, 2)", "()", "(1)", "1, 2", "{'a': 1, \"b\": [True]}", "{}", "{1: 'x'}",
  "hello", "hello world", "a=b", "1 + 2", "1j", "12abc", "[1, 2", "'unterminated", "{1, 2}", "-'x'", "/usr/bin/python3", "10.0.0.1",
];

describe("parsePythonLiteral matches Python's ast.literal_eval", () => {
  const expected = python(CASES);
  CASES.forEach((text, i) => {
    it(JSON.stringify(text), () => {
      expect(parsePythonLiteral(text)).toEqual(expected[i]);
    });
  });
});
