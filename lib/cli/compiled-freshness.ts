/**
 * A compiled playbook (npm run build) refuses to run when a source changed after the build: an edited
 * role would otherwise run as it was before the edit, silently. The build recorded every source's
 * size and mtime; comparing them costs a stat per file (a few milliseconds), not a hash.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";

export const BUILD_INFO_FILE = "build-info.json";

export interface BuildInfo {
  /** The repository the build was made from. */
  readonly sourceRoot: string;
  readonly sources: readonly { readonly path: string; readonly size: number; readonly mtimeMs: number }[];
}

/** `compiledRoot`: the folder holding build-info.json when this code is the compiled form. */
export function checkCompiledIsCurrent(compiledRoot: string): void {
  const infoFile = join(compiledRoot, BUILD_INFO_FILE);
  if (!existsSync(infoFile)) return; // running from the TypeScript sources
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as BuildInfo;
  const changed: string[] = [];
  for (const source of info.sources) {
    const now = statSync(join(info.sourceRoot, source.path), { throwIfNoEntry: false });
    if (!now || now.size !== source.size || now.mtimeMs !== source.mtimeMs) changed.push(source.path);
  }
  if (changed.length === 0) return;
  const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ` and ${changed.length - 5} more` : "");
  throw new EasyKubeError(`${compiledRoot} was compiled before ${shown} changed: run \`npm run build\` again, or run the playbook from its sources with \`npx tsx\``);
}
