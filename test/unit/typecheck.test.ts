/** The sources type-check as a whole (strict, no unused locals): tsx runs them without checking types. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("tsc --noEmit finds no type error", async () => {
  const root = join(import.meta.dirname, "../..");
  const result = await promisify(execFile)(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root], { cwd: root }).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  expect(result).toBe("");
}, 180_000);
