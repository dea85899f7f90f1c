/**
 * Start-up to the first SSH connection: from spawning easy-kube to the moment its first connection
 * starts (the EASYKUBE_MARK_FIRST_CONNECTION mark, an epoch time compared with the spawn time),
 * median of several runs, for the two ways of launching a playbook: the tsx command (which starts
 * a second node process) and `node --import tsx` (one process).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "./lib/measure.ts";

export interface StartupResult {
  readonly launcher: string;
  /** Median seconds from spawn to the first connection, and every sample. */
  readonly seconds: number;
  readonly samples: readonly number[];
  /** Median CPU seconds of the playbook's process up to that moment. */
  readonly cpuSeconds: number;
}

const MARK = /easy-kube-mark first-connection ([\d.]+) cpu-ms (\d+)/;

/** One run: resolves at the mark; the run itself goes on to its end, which is awaited. */
async function once(command: string, args: readonly string[]): Promise<{ seconds: number; cpuSeconds: number }> {
  const spawned = Date.now();
  const child = spawn(command, args, { env: { ...process.env, EASYKUBE_MARK_FIRST_CONNECTION: "1" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  const mark = MARK.exec(stderr);
  if (!mark) throw new Error(`no first-connection mark from ${command} ${args.join(" ")}:\n${stderr.slice(-2000)}`);
  return { seconds: (Number(mark[1]) - spawned) / 1000, cpuSeconds: Number(mark[2]) / 1000 };
}

export async function startupToFirstConnection(launcher: string, command: string, args: readonly string[], runs = 7): Promise<StartupResult> {
  await once(command, args); // tsx's transform cache warm, as on any run after the first
  const measured: { seconds: number; cpuSeconds: number }[] = [];
  for (let i = 0; i < runs; i++) measured.push(await once(command, args));
  const round = (value: number) => Number(value.toFixed(3));
  return {
    launcher,
    seconds: round(median(measured.map((m) => m.seconds))),
    samples: measured.map((m) => round(m.seconds)),
    cpuSeconds: round(median(measured.map((m) => m.cpuSeconds))),
  };
}

/** Keeps this run's start-up rows in startup.json; latest.md shows them in their own section. */
export function writeStartupResults(resultsDir: string, results: readonly StartupResult[]): string {
  writeFileSync(join(resultsDir, "startup.json"), JSON.stringify({ measured: new Date().toISOString(), results }, null, 2) + "\n");
  return startupSection(results);
}

export const STARTUP_HEADING = "## Start-up";

export function startupSection(results: readonly StartupResult[], measured?: string): string {
  return [
    STARTUP_HEADING,
    "",
    `From spawning the playbook to its first SSH connection, median of 7 runs after a warm-up run${measured ? ` (measured ${measured})` : ""}:`,
    "",
    ...results.map((r) => `- ${r.launcher}: ${r.seconds} s (CPU ${r.cpuSeconds} s in the playbook's process)`),
    "",
  ].join("\n");
}

/** The section from startup.json, if the start-up was measured. */
export function keptStartupSection(resultsDir: string): string | undefined {
  const file = join(resultsDir, "startup.json");
  if (!existsSync(file)) return undefined;
  const kept = JSON.parse(readFileSync(file, "utf8")) as { measured?: string; results: StartupResult[] } | StartupResult[];
  return Array.isArray(kept) ? startupSection(kept) : startupSection(kept.results, kept.measured);
}
