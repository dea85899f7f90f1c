/** Flag names in a program's --help text (or a recorded one), and a program's help as it prints it. */
import { execFileSync } from "node:child_process";

export function flagNames(text: string): string[] {
  return [...new Set(text.split("\n").filter((l) => !l.startsWith("#")).flatMap((l) => [...l.matchAll(/^\s*(?:-\w, )?--([a-z0-9][a-z0-9_-]*)/g)].map((m) => m[1]!)))].sort();
}

export function programHelp(program: string): string {
  try {
    return execFileSync(program, ["--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? "");
  }
}
