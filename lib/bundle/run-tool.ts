/** Runs a tool of the control machine (tar, dpkg-deb, apt-get) and turns its failure into a clear error. */
import { execFileSync } from "node:child_process";
import { EasyKubeError } from "../errors.js";

export function runTool(program: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(program, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new EasyKubeError(`${program} ${args.join(" ")} failed: ${(e.stderr || e.message).trim()}`);
  }
}
