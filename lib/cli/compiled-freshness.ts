/**
 * A compiled playbook (npm run build) refuses to run when a source changed after the build: an edited
 * role would otherwise run as it was before the edit, silently. The build recorded every source's
 * size, mtime and ctime (a copy that keeps mtimes still gets a new ctime); comparing them costs a
 * stat per file (a few milliseconds), not a hash.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";

export const BUILD_INFO_FILE = "build-info.json";

export interface BuildInfo {
  /** The repository the build was made from. */
  readonly sourceRoot: string;
  readonly sources: readonly { readonly path: string; readonly stamp: string }[];
}

export function sourceStamp(path: string): string | undefined {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}` : undefined;
}

/** `compiledRoot`: the folder holding build-info.json when this code is the compiled form. */
export function checkCompiledIsCurrent(compiledRoot: string): void {
  const infoFile = join(compiledRoot, BUILD_INFO_FILE);
  if (!existsSync(infoFile)) return; // running from the TypeScript sources
  const rebuild = "run `npm run build` again, or run the playbook from its sources with `npx tsx`";
  let info: BuildInfo;
  try {
    info = JSON.parse(readFileSync(infoFile, "utf8")) as BuildInfo;
    if (typeof info.sourceRoot !== "string" || !Array.isArray(info.sources)) throw new Error("not a build record");
  } catch (error) {
    throw new EasyKubeError(`${infoFile} cannot be read (${(error as Error).message}): ${rebuild}`);
  }
  if (!existsSync(info.sourceRoot)) throw new EasyKubeError(`${compiledRoot} was compiled from ${info.sourceRoot}, which is not there any more: ${rebuild}`);
  const changed = info.sources.filter((source) => sourceStamp(join(info.sourceRoot, source.path)) !== source.stamp).map((source) => source.path);
  if (changed.length === 0) return;
  const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ` and ${changed.length - 5} more` : "");
  throw new EasyKubeError(`${compiledRoot} was compiled before ${shown} changed: ${rebuild}`);
}
