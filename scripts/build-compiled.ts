/**
 * `npm run build [-- --out DIR]`: the project compiled to plain JavaScript in dist/ (or DIR, inside
 * the repository so its node_modules resolve), for playbooks that start without tsx:
 * `node dist/playbooks/site.js -i inventory/prod`. tsx compiles every module through a loader
 * thread on each start; the compiled form loads as Node's own modules (measured in bench/startup.ts).
 *
 * The output mirrors the sources (lib/, roles/, playbooks/, bench/workload/) with their templates
 * and scripts beside them, its own package.json (so roles' `import "easy-kube"` resolves inside
 * it, never to the TypeScript sources) and build-info.json: every source's size and mtime, which a
 * compiled playbook compares before it runs (lib/cli/compiled-freshness.ts), refusing to run code
 * older than the sources. Built in a new folder that replaces the old one whole.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BUILD_INFO_FILE, type BuildInfo } from "../lib/cli/compiled-freshness.ts";

const repo = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { out: { type: "string", default: "dist" } } });
const out = resolve(repo, values.out!);
if (!out.startsWith(repo + "/")) throw new Error(`--out ${values.out}: must be inside ${repo} (the compiled code finds its packages in ${repo}/node_modules)`);

const SOURCE_FOLDERS = ["lib", "roles", "playbooks", "bench/workload"];
const building = `${out}.building-${process.pid}`;
rmSync(building, { recursive: true, force: true });

execFileSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", join(repo, "tsconfig.build.json"), "--outDir", building], { stdio: "inherit" });

const sources: BuildInfo["sources"] = [];
for (const folder of SOURCE_FOLDERS) {
  for (const file of filesUnder(join(repo, folder))) {
    const path = relative(repo, file);
    const { size, mtimeMs } = statSync(file);
    sources.push({ path, size, mtimeMs });
    // Templates, recorded help texts, build recipes: read beside the module that uses them.
    if (!file.endsWith(".ts")) {
      mkdirSync(dirname(join(building, path)), { recursive: true });
      copyFileSync(file, join(building, path));
    }
  }
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
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
