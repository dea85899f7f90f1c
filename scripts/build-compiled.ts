/**
 * `npm run build [-- --out DIR]`: the project compiled to plain JavaScript in dist/ (or DIR, inside
 * the repository so its node_modules resolve), for playbooks that start without tsx:
 * `node dist/playbooks/site.js -i inventory/prod`. tsx compiles every module through a loader
 * thread on each start; the compiled form loads as Node's own modules (measured in bench/startup.ts).
 *
 * The output mirrors the sources (roles/, playbooks/, bench/workload/) with their templates
 * beside them, the engine (lib/) bundled into engine/ (the files it ships, such as the Kubernetes
 * build recipe, stay at their lib/ paths, found from the package root), its own package.json (so roles'
 * `import "easy-kube"` resolves to that bundle, never to the TypeScript sources) and build-info.json: every source's (and package.json's and
 * the tsconfigs') size, mtime and ctime, which a compiled playbook compares before it runs
 * (lib/cli/compiled-freshness.ts), refusing to run code older than the sources. Built in a new
 * folder that replaces the old one whole.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { BUILD_INFO_FILE, sourceStamp, type BuildInfo } from "../lib/cli/compiled-freshness.ts";

const repo = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { out: { type: "string", default: "dist" } } });
const out = resolve(repo, values.out!);
const SOURCE_FOLDERS = ["lib", "roles", "playbooks", "bench/workload"];
/** Where the engine's bundle goes in the output. */
const ENGINE_FOLDER = "engine";
/** What the build depends on besides the sources: exports, versions, compiler settings, itself. */
const SETTINGS_FILES = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "scripts/build-compiled.ts"];
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

// The engine (lib/) as one bundle with an entry per export and their shared code in common chunks:
// loaded as a handful of modules instead of 110 (about 0.1 s less per start here), one copy of each
// class for every importer. Its compiled files are removed, so nothing can load a second copy.
const rootPackage = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { name: string; version: string; exports: Record<string, string> };
const entries = Object.entries(rootPackage.exports).map(([key, target]) => ({ key, compiled: join(building, target.replace(/\.ts$/, ".js")) }));
await build({
  entryPoints: entries.map((entry) => entry.compiled),
  outbase: join(building, "lib"),
  outdir: join(building, ENGINE_FOLDER),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
for (const file of filesUnder(join(building, "lib"))) if (/\.js(\.map)?$/.test(file)) rmSync(file);
removeEmptyFolders(join(building, "lib"));
const compiledExports = Object.fromEntries(entries.map(({ key, compiled }) => [key, `./${join(ENGINE_FOLDER, relative(join(building, "lib"), compiled))}`]));
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

/** Folders left empty once the compiled lib modules went (the recipe's folder stays). */
function removeEmptyFolders(folder: string): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) removeEmptyFolders(join(folder, entry.name));
  if (readdirSync(folder).length === 0) rmSync(folder, { recursive: true });
}
