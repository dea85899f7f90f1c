/**
 * Programs built from released Go modules (bundle source `go`): the modules fetched with the go
 * command through the Go module proxy (checksums verified against the checksum database, as the go
 * command does by default), each built as its own main module (build-go-programs.sh beside this
 * file), cached outside any checkout by component, version, Go version, architecture and the
 * recipe's own hash, so a second bundle, a fresh clone or CI on a machine that built once reuse
 * the programs; Go's build and module caches make a rebuild after a recipe change quick.
 */
import { goToolchainEnv } from "../go-toolchain-env.js";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../../errors.js";
import { packageRoot } from "../../util/package-root.js";
import { runBuildScript } from "../build-script.js";
import type { Arch } from "../bundle-vars.js";
import { runTool } from "../run-tool.js";
import type { GoComponentRecipe, StampInput } from "./go-recipes.js";

/** Where builds and Go's module and build caches are kept: EASYKUBE_GO_CACHE, else /var/cache/easy-kube/go. */
export function goCacheRoot(): string {
  return process.env["EASYKUBE_GO_CACHE"] ?? "/var/cache/easy-kube/go";
}

/** The Go toolchain for module builds: EASYKUBE_GO, else the official one in /usr/local/go, else `go` on PATH. */
export function moduleGo(): string {
  return process.env["EASYKUBE_GO"] ?? (existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go");
}

export interface GoBuildRequest {
  readonly component: string;
  readonly version: string;
  readonly arch: Arch;
  readonly recipe: (input: StampInput) => GoComponentRecipe;
}

export interface GoBuild {
  readonly origin: string;
  /** Program name -> built file. */
  readonly paths: Record<string, string>;
}

interface ModuleDownload {
  readonly Path: string;
  readonly Version: string;
  readonly Dir?: string;
  readonly GoMod?: string;
  readonly Info?: string;
  readonly Error?: string;
}

/** The cache folder name of a build: every input that changes the programs is in it. */
export function goBuildKey(component: string, version: string, goVersion: string, arch: Arch, recipeSha256: string): string {
  return `${component}-${version}_${goVersion}_${arch}_${recipeSha256.slice(0, 12)}`.replace(/[^A-Za-z0-9._+-]/g, "-");
}

export async function buildFromGoModules(request: GoBuildRequest, log: (line: string) => void): Promise<GoBuild> {
  const go = moduleGo();
  const goVersion = goEnv(go, "GOVERSION");
  const env = goEnvironment(go, request.arch);
  const modules = [...new Set(request.recipe({ version: request.version, releaseTime: "", arch: request.arch }).programs.map((p) => p.module))];
  const downloads = modules.map((m) => downloadModule(m, request.version, env));
  const releaseTime = (JSON.parse(readFileSync(downloads[0]!.Info!, "utf8")) as { Time?: string }).Time ?? "1970-01-01T00:00:00Z";
  const recipe = request.recipe({ version: request.version, releaseTime, arch: request.arch });
  const plan = planLines(recipe, downloads, request.version);
  // C programs (cgo, pause) are built with the control machine's gcc and Debian's static libraries: their versions are inputs too.
  missingBuildPackages(recipe);
  const usesC = recipe.pauseFromTree || recipe.programs.some((p) => p.cgoStatic);
  if (usesC) refuseCrossC(request);
  const key = goBuildKey(request.component, request.version, goVersion, request.arch, sha256(plan + readFileSync(script()) + (usesC ? cToolchain(recipe) : "")));
  const folder = join(goCacheRoot(), "builds", key);
  const bin = join(folder, "bin");
  const names = [...recipe.programs.map((p) => p.name), ...(recipe.pauseFromTree ? ["pause"] : [])];
  const paths = Object.fromEntries(names.map((n) => [n, join(bin, n)]));
  const origin = `Go modules ${modules.map((m) => `${m}@v${request.version}`).join(", ")}, built with ${goVersion} (${folder})`;
  if (names.every((n) => existsSync(paths[n]!))) return { origin, paths };

  mkdirSync(bin, { recursive: true });
  const planFile = join(folder, "plan.tsv");
  writeFileSync(planFile, plan);
  const logFile = join(folder, "build.log");
  log(`building ${names.filter((n) => !existsSync(paths[n]!)).join(", ")} for ${request.arch} (minutes on a cold cache; log: ${logFile})`);
  await runBuildScript({ script: script(), args: [planFile, join(folder, "work"), bin], env, lockFile: join(folder, ".build.lock"), logFile, what: `building ${request.component} ${request.version} from Go modules`, log });
  const notBuilt = names.filter((n) => !existsSync(paths[n]!));
  if (notBuilt.length > 0) throw new EasyKubeError(`the build made no ${notBuilt.join(", ")}; see ${logFile}`);
  return { origin, paths };
}

/** The plan build-go-programs.sh follows: each module prepared, then each program built. */
export function planLines(recipe: GoComponentRecipe, downloads: readonly Pick<ModuleDownload, "Path" | "Dir" | "GoMod">[], version: string): string {
  const lines: string[] = [];
  for (const d of downloads) {
    const edits = localReplaces(d.GoMod!).flatMap((path) => [`-dropreplace=${path}`, `-require=${path}@${recipe.replacedVersion(path, version)}`]);
    lines.push(["module", d.Path, d.Dir!, field(edits.join(" "))].join("\t"));
  }
  for (const p of recipe.programs) {
    const ldflags = Object.entries(p.stamps ?? {}).map(([name, value]) => `-X ${name}=${value}`).join(" ");
    if (/\s/.test(Object.values(p.stamps ?? {}).join(""))) throw new EasyKubeError(`a version stamp of ${p.name} has white space`);
    lines.push(["program", p.name, p.module, p.package, p.cgoStatic ? "1" : "0", field((p.tags ?? []).join(",")), field(ldflags)].join("\t"));
  }
  // The module's version stands for upstream's `git describe` in the program's version string.
  if (recipe.pauseFromTree) lines.push(["pause", "pause", downloads[0]!.Path, `v${version}`].join("\t"));
  return lines.join("\n") + "\n";
}

/** A plan field: "-" for nothing, since bash's read folds consecutive tabs (white space) into one. */
function field(text: string): string {
  return text === "" ? "-" : text;
}

/** Modules a go.mod replaces by a folder of its own repository ("../api", "./staging/src/k8s.io/api"). */
export function localReplaces(goModFile: string): string[] {
  const edit = JSON.parse(runTool(moduleGo(), ["mod", "edit", "-json", goModFile])) as { Replace?: { Old: { Path: string }; New: { Path: string; Version?: string } }[] };
  return (edit.Replace ?? []).filter((r) => !r.New.Version && /^\.\.?\//.test(r.New.Path)).map((r) => r.Old.Path);
}

/** A module at a release, into Go's module cache: `go mod download` reports a refusal as JSON on stdout. */
function downloadModule(module: string, version: string, env: NodeJS.ProcessEnv): ModuleDownload {
  const run = spawnSync(moduleGo(), ["mod", "download", "-json", `${module}@v${version}`], { env, encoding: "utf8" });
  let download: ModuleDownload | undefined;
  try {
    download = JSON.parse(run.stdout) as ModuleDownload;
  } catch {
    download = undefined;
  }
  if (run.status !== 0 || !download || download.Error || !download.Dir || !download.GoMod || !download.Info) {
    throw new EasyKubeError(`cannot fetch Go module ${module}@v${version}: ${(download?.Error ?? run.stderr ?? run.error?.message ?? "").trim()}`);
  }
  return download;
}

function goEnvironment(go: string, arch: Arch): NodeJS.ProcessEnv {
  const { GOFLAGS: _flags, ...toolchain } = goToolchainEnv(go, { goCache: join(goCacheRoot(), "go-build"), arch });
  return {
    ...toolchain,
    // Checksum verification on, whatever the machine's go env says: every module is checked against sum.golang.org.
    GOENV: "off",
    GOSUMDB: "sum.golang.org",
    GONOSUMDB: "",
    GONOSUMCHECK: "",
    GOPRIVATE: "",
    GOINSECURE: "",
    GOMODCACHE: join(goCacheRoot(), "mod"),
    // -modcacherw: the cache can be removed without chmod; -mod=mod: see build-go-programs.sh.
    GOFLAGS: "-modcacherw -mod=mod -buildvcs=false",
  };
}

function goEnv(go: string, name: string): string {
  try {
    return runTool(go, ["env", name]).trim();
  } catch {
    throw new EasyKubeError(`building from Go modules needs Go (${go}): install a current Go (the modules' go.mod names the least) in /usr/local/go, or name it with EASYKUBE_GO`);
  }
}

/** gcc builds for the control machine's architecture: a C program for another one needs a cross compiler, which the recipes do not set up. */
function refuseCrossC(request: GoBuildRequest): void {
  const host = runTool("dpkg", ["--print-architecture"]).trim();
  if (host !== request.arch) {
    throw new EasyKubeError(`building ${request.component} ${request.version} for ${request.arch} on a ${host} machine: its C parts (cgo, the pause program) need a cross compiler; build on a ${request.arch} control machine, or take ${request.component} from official or mirror (bundle_sources)`);
  }
}

/** gcc's version and the Debian build packages' versions, for the cache key. */
function cToolchain(recipe: GoComponentRecipe): string {
  const versions = recipe.debianBuildPackages.map((p) => `${p}=${runTool("dpkg-query", ["-W", "-f=${Version}", p]).trim()}`);
  return [`gcc=${runTool("gcc", ["-dumpfullversion"]).trim()}`, ...versions].join(" ");
}

function missingBuildPackages(recipe: GoComponentRecipe): void {
  const missing = recipe.debianBuildPackages.filter((p) => {
    try {
      return !runTool("dpkg-query", ["-W", "-f=${Status}", p]).includes("install ok installed");
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new EasyKubeError(`building needs the Debian packages ${missing.join(", ")}: apt-get install ${missing.join(" ")}`);
}

export function script(): string {
  const root = packageRoot(import.meta.dirname);
  if (!root) throw new EasyKubeError(`cannot find easy-kube's package folder above ${import.meta.dirname} for its Go build recipe`);
  return join(root, "lib/bundle/go-source/build-go-programs.sh");
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
