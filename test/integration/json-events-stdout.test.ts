/**
 * `--json-events -` gives stdout to the events alone: every stdout line is a JSON event, and the
 * console output (task lines, the recap) goes to stderr, so `| jq` or a log collector can read it.
 */
import { expect, inject, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sshdInventory } from "../helpers/inventory.js";

const sshd = inject("sshd");
const run = promisify(execFile);
const repo = join(import.meta.dirname, "../..");

it("--json-events - writes only JSON lines to stdout and the console output to stderr", async () => {
  const { file } = sshdInventory(sshd, { web: ["target"] });
  const root = mkdtempSync(join(tmpdir(), "ek-events-"));
  const { stdout, stderr } = await run("npx", ["tsx", "playbooks/sample.ts", "-i", file, "--check", "--json-events", "-", "-e", `sample_root=${root}/app sample_user=ekevents`], {
    cwd: repo,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const lines = stdout.split("\n").filter((l) => l !== "");
  const events = lines.map((line) => JSON.parse(line) as { type: string });
  expect(events[0]!.type).toBe("playbook_start");
  expect(events.at(-1)!.type).toBe("playbook_end");
  expect(stderr).toContain("PLAY RECAP");
  expect(stderr).toMatch(/TASK \[/);
});
