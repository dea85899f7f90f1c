import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { shlexSplit } from "../../lib/inventory/shlex.js";

const CASES = [
  "host a=1 b=2",
  `host motd="hello world" path='/srv/my app'`,
  "host esc=a\\ b",
  "host hash=before#after tail",
  "host # whole comment",
  `host q="a \\"quoted\\" word" s='no \\escape'`,
  `host empty='' also=""`,
  `host mixed=ab"cd ef"gh`,
  "  spaced   out  ",
];

describe("shlexSplit matches Python's shlex.split(comments=True)", () => {
  const expected = JSON.parse(
    execFileSync("python3", ["-c", "import json,shlex,sys; print(json.dumps([shlex.split(c, comments=True) for c in json.load(sys.stdin)]))"], {
      input: JSON.stringify(CASES),
      encoding: "utf8",
    }),
  );
  CASES.forEach((line, i) => {
    it(line, () => expect(shlexSplit(line)).toEqual(expected[i]));
  });

  it("rejects an unclosed quote like Python", () => {
    expect(() => shlexSplit(`host a="open`)).toThrow(/closing quotation/);
  });
});
