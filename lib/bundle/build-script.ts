/**
 * Runs a build recipe (a bash script) on the control machine the way every source build needs:
 * one build per cache folder at a time (flock: a second bundle, another inventory or a test waits,
 * then finds the programs made), progress from the script's `step: ` lines with the seconds since
 * the start, everything else into a log file, and a failure that names the log and its last lines.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { EasyKubeError } from "../errors.js";

export interface BuildScriptRun {
  readonly script: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The lock file held while the script runs. */
  readonly lockFile: string;
  readonly logFile: string;
  /** What is built, for the error ("building Kubernetes 1.20.2"). */
  readonly what: string;
  readonly log: (line: string) => void;
}

export function runBuildScript(run: BuildScriptRun): Promise<void> {
  // Truncated by the script's own first line, inside the lock: a build waiting for the lock must not empty the log of the one running.
  const fd = openSync(run.logFile, "a");
  const started = Date.now();
  return new Promise<void>((resolve, reject) => {
    const child = spawn("flock", [run.lockFile, "bash", "-c", 'truncate -s 0 "$0" && exec bash "$@"', run.logFile, run.script, ...run.args], { env: run.env, stdio: ["ignore", "pipe", fd] });
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        writeSync(fd, line + "\n"); // the log keeps the steps between the tools' own output
        if (line.startsWith("step: ")) run.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s  ${line.slice("step: ".length)}`);
      }
    });
    child.on("error", (error) => reject(new EasyKubeError(`could not run ${run.script}: ${error.message}`)));
    child.on("close", (code) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new EasyKubeError(`${run.what} failed (exit ${code}); the last lines of ${run.logFile}:\n${tail(run.logFile, 15)}`));
    });
  });
}

function tail(file: string, lines: number): string {
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}
