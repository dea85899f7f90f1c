/**
 * `npm run build [-- --out DIR]`: the project compiled to plain JavaScript in dist/ (or DIR, inside
 * the repository so its node_modules resolve), for playbooks that start without tsx:
 * `node dist/playbooks/site.js -i inventory/prod`. tsx compiles every module through a loader
 * thread on each start; the compiled form loads as Node's own modules (measured in bench/startup.ts).
 *
 * The output mirrors the sources (lib/, roles/, playbooks/, bench/workload/) with their templates
 * and scripts beside them, its own package.json (so roles' `import "easy-kube"` resolves inside
 * it, never to the TypeScript sources) and build-info.json: every source's (and package.json's and
 * the tsconfigs') size, mtime and ctime, which a compiled playbook compares before it runs
 * (lib/cli/compiled-freshness.ts), refusing to run code older than the sources. Built in a new
 * folder that replaces the old one whole.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BUILD_INFO_FILE, sourceStamp, type BuildInfo } from "../lib/cli/compiled-freshness.ts";

const repo = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { out: { type: "string", default: "dist" } } });
const out = resolve(repo, values.out!);
const SOURCE_FOLDERS = ["lib", "roles", "playbooks", "bench/workload"];
/** What the build reads besides the sources: the exports it copies, the compiler's settings. */
const SETTINGS_FILES = ["package.json", "tsconfig.json", "tsconfig.build.json"];
// The folder is replaced whole, so it can only be one that holds nothing but builds: dist, or a
// folder under the git-ignored .cache/ or bench/.work/ (tests and the benchmark build there).
const underScratch = [".cache", "bench/.work"].some((folder) => out.startsWith(join(repo, folder) + "/"));
if (out !== join(repo, "dist") && !underScratch) {
  throw new Error(`--out ${values.out}: the build replaces its folder whole, so it goes to ${repo}/dist or a folder under .cache/ or bench/.work/`);
}
const building = `${out}.building-${process.pid}`;
rmSync(building, { recursive: true, force: true });

// Stamped before compiling: a source edited while the compiler runs must look changed afterwards.
const sources: BuildInfo["sources"] = [];
const assets: string[] = [];
for (const file of [...SOURCE_FOLDERS.flatMap((folder) => filesUnder(join(repo, folder))), ...SETTINGS_FILES.map((f) => join(repo, f))]) {
  const path = relative(repo, file);
  sources.push({ path, stamp: sourceStamp(file)! });
  // Templates, recorded help texts, build recipes: read beside the module that uses them.
  if (!file.endsWith(".ts") && !SETTINGS_FILES.includes(path)) assets.push(path);
}

execFileSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", join(repo, "tsconfig.build.json"), "--outDir", building], { stdio: "inherit" });
for (const path of assets) {
  mkdirSync(dirname(join(building, path)), { recursive: true });
  copyFileSync(join(repo, path), join(building, path));
}

const rootPackage = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { name: string; version: string; exports: Record<string, string> };
const compiledExports = Object.fromEntries(Object.entries(rootPackage.exports).map(([key, target]) => [key, target.replace(/\.ts$/, ".js")]));
writeFileSync(join(building, "package.json"), JSON.stringify({ name: rootPackage.name, version: rootPackage.version, type: "module", private: true, exports: compiledExports }, null, 2) + "\n");
const info: BuildInfo = { sourceRoot: repo, sources };
writeFileSync(join(building, BUILD_INFO_FILE), JSON.stringify(info) + "\n");

rmSync(out, { recursive: true, force: true });
renameSync(building, out);
console.log(`compiled ${sources.filter((s) => s.path.endsWith(".ts")).length} modules into ${relative(repo, out)}/ (run a playbook with: node ${relative(repo, out)}/playbooks/site.js -i INVENTORY)`);

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".md"))
    .map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))
    .sort();
}
