/**
 * The recorded help texts are the programs' own: where a built Kubernetes is on this machine
 * (the lab's build cache, /var/cache/easy-kube), each program's `--help` gives exactly the flags
 * recorded under test/fixtures/help/<version>/. Record again with:
 * `<program> --help > test/fixtures/help/<version>/<program>.txt 2>&1`
 */
import { describe, expect, it } from "vitest";
import { missingBuild } from "../helpers/require-built.js";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { flagNames, programHelp } from "../helpers/help-text.js";

const help = join(import.meta.dirname, "../fixtures/help");
const PROGRAMS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"];


/** Executable files named like a program under a folder, at most a few levels down. */
function findPrograms(dir: string, depth = 6): string[] {
  if (depth === 0 || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return findPrograms(path, depth - 1);
    return e.isFile() && PROGRAMS.includes(e.name) && (statSync(path).mode & 0o111) !== 0 ? [path] : [];
  });
}

const built = findPrograms("/var/cache/easy-kube");

describe("recorded help texts match the programs", () => {
  it.skipIf(missingBuild(built.length > 0, "a built Kubernetes in /var/cache/easy-kube"))("every built program's --help has the recorded flags", () => {
    for (const program of built) {
      const version = /v(\d+\.\d+\.\d+)/.exec(execFileSync(program, ["--version"], { encoding: "utf8" }))?.[1];
      const name = program.split("/").pop()!;
      const recorded = join(help, String(version), `${name}.txt`);
      expect(existsSync(recorded), `${recorded} (record it from ${program} --help)`).toBe(true);
      expect(flagNames(programHelp(program)), program).toEqual(flagNames(readFileSync(recorded, "utf8")));
    }
  });
});
