/**
 * Each operation's check half on recorded facts (pyinfra's style: one JSON file per case, with
 * the arguments, the recorded output of each fact command, and the changes or error expected).
 * These run CentOS paths too, which the lab (Debian) cannot.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RecordedFacts } from "../../lib/facts/fact.js";
import * as ops from "../../lib/ops/index.js";
import type { Operation, Target } from "../../lib/ops/operation.js";

const root = join(import.meta.dirname, "../fixtures/operations");

interface Case {
  op: keyof typeof ops;
  args: unknown;
  facts: Record<string, { stdout?: string; stderr?: string; code?: number }>;
  changes?: string[];
  error?: string;
}

const noConnection = {
  host: "recorded",
  commandCount: 0,
  run: () => Promise.reject(new Error("the check half must only read facts")),
  close: async () => {},
};

describe("operation check halves on recorded facts", () => {
  for (const group of readdirSync(root)) {
    for (const file of readdirSync(join(root, group))) {
      const testCase = JSON.parse(readFileSync(join(root, group, file), "utf8")) as Case;
      it(`${group}/${file}`, async () => {
        const build = ops[testCase.op] as (args: unknown) => Operation;
        const target: Target = { name: "recorded", connection: noConnection, facts: new RecordedFacts(testCase.facts), diff: false, check: true };
        const planned = build(testCase.args).plan(target);
        if (testCase.error) await expect(planned).rejects.toThrow(testCase.error);
        else expect((await planned).changes).toEqual(testCase.changes);
      });
    }
  }
});
