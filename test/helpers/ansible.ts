/** Runs Debian's ansible-core as the reference implementation the inventory tests compare with. */
import { execFileSync } from "node:child_process";
import { parsePythonJson } from "./pyyaml.js";

const env = { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: "true", ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "false" };

/** ansible-inventory --list, read as Python wrote it (Infinity and NaN included). */
export function ansibleInventoryList(source: string): unknown {
  return parsePythonJson(execFileSync("ansible-inventory", ["-i", source, "--list"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
}

export function ansibleInventoryGraph(source: string): string {
  return execFileSync("ansible-inventory", ["-i", source, "--graph"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trimEnd();
}

/** Host names `ansible PATTERN --list-hosts` selects. */
export function ansibleListHosts(source: string, pattern: string): string[] {
  const out = execFileSync("ansible", ["-i", source, pattern, "--list-hosts"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return out
    .split("\n")
    .slice(1)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Whether ansible-inventory rejects the source (exit code non-zero). */
export function ansibleRejects(source: string): boolean {
  try {
    ansibleInventoryList(source);
    return false;
  } catch {
    return true;
  }
}
