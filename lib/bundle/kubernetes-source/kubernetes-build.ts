/**
 * Kubernetes server programs built from Debian's source package with Debian's Go
 * (build-kubernetes.sh beside this file), cached outside any checkout: a build is keyed by the
 * source version, the Go version, the architecture and the build recipe, so a second bundle, a
 * second lab, a fresh clone or CI on a machine that built once reuse the programs, and Go's build
 * cache makes a rebuild after a recipe change take minutes, not many. Builds take minutes: progress
 * is reported step by step, and a failure names the build log.
 */
import { goToolchainEnv } from "../go-toolchain-env.js";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../../errors.js";
import type { Arch } from "../bundle-vars.js";
import { runTool } from "../run-tool.js";
import { runBuildScript } from "../build-script.js";
import { fetchSourcePackage, unpackSourcePackage } from "./debian-source-package.js";
import { packageRoot } from "../../util/package-root.js";

/** The build recipe, found when a build runs (not when the bundle's API is imported). */
function recipe(): string {
  const root = packageRoot(import.meta.dirname);
  if (!root) throw new EasyKubeError(`cannot find easy-kube's package folder above ${import.meta.dirname} for its Kubernetes build recipe`);
  return join(root, "lib/bundle/kubernetes-source/build-kubernetes.sh");
}

/** Where builds are kept: EASYKUBE_BUILD_CACHE, else beside the lab's base system. */
export function buildCacheRoot(): string {
  return process.env["EASYKUBE_BUILD_CACHE"] ?? "/var/cache/easy-kube/kubernetes";
}

export interface BuildKey {
  readonly debianVersion: string;
  readonly goVersion: string;
  readonly arch: Arch;
  /** sha256 of the build recipe: a changed recipe is a new build. */
  readonly recipeSha256: string;
}

/** The cache folder name of a build: every input that changes the programs is in it. */
export function buildCacheKey(key: BuildKey): string {
  return `${key.debianVersion}_${key.goVersion}_${key.arch}_${key.recipeSha256.slice(0, 12)}`.replace(/[^A-Za-z0-9._+-]/g, "-");
}

export interface KubernetesBuild {
  readonly origin: string;
  /** Program name -> built file. */
  readonly paths: Record<string, string>;
}

/**
 * The programs (kube-apiserver, ..., and `pause`, the pause image's static program) for `version`,
 * from the cache or built now.
 */
export async function kubernetesFromDebianSource(version: string, arch: Arch, programs: readonly string[], log: (line: string) => void): Promise<KubernetesBuild> {
  const root = buildCacheRoot();
  const source = fetchSourcePackage("kubernetes", version, join(root, "source"), log);
  const key = buildCacheKey({ debianVersion: source.debianVersion, goVersion: goVersion(), arch, recipeSha256: sha256(readFileSync(recipe())) });
  const folder = join(root, key);
  const bin = join(folder, "bin");
  const paths = Object.fromEntries(programs.map((p) => [p, join(bin, p)]));
  const missing = programs.filter((p) => !existsSync(paths[p]!));
  const origin = `Debian source kubernetes ${source.debianVersion}, built with ${goVersion()} (${folder})`;
  if (missing.length === 0) return { origin, paths };

  const tree = join(folder, "tree");
  if (!existsSync(tree)) {
    log(`unpacking ${source.dsc}`);
    unpackSourcePackage(source, tree);
  }
  mkdirSync(bin, { recursive: true });
  const logFile = join(folder, "build.log");
  log(`building ${missing.join(", ")} for ${arch} (minutes on a cold cache; log: ${logFile})`);
  await runBuild(tree, bin, version, arch, missing, logFile, log);
  const notBuilt = missing.filter((p) => !existsSync(paths[p]!));
  if (notBuilt.length > 0) throw new EasyKubeError(`the build made no ${notBuilt.join(", ")}; see ${logFile}`);
  return { origin, paths };
}

function runBuild(tree: string, bin: string, version: string, arch: Arch, programs: readonly string[], logFile: string, log: (line: string) => void): Promise<void> {
  const env = {
    // Debian's Go first on PATH, whatever `go` the machine puts first (Go 1.26 cannot build 1.20).
    ...goToolchainEnv(debianGo(), { goCache: join(buildCacheRoot(), "go-build"), arch }),
    SOURCE_DATE_EPOCH: runTool("dpkg-parsechangelog", ["-l", join(tree, "debian/changelog"), "-STimestamp"]).trim(),
  };
  return runBuildScript({ script: recipe(), args: [tree, bin, version, ...programs], env, lockFile: join(bin, "..", ".build.lock"), logFile, what: `building Kubernetes ${version}`, log });
}

/**
 * Debian's Go, by its path: 1.20's vendored code builds with Debian's Go 1.19 and not with current
 * releases, and a machine may put another `go` first on PATH (/usr/local/go). EASYKUBE_DEBIAN_GO
 * names another one.
 */
export function debianGo(): string {
  return process.env["EASYKUBE_DEBIAN_GO"] ?? "/usr/lib/go/bin/go";
}

function goVersion(): string {
  try {
    return runTool(debianGo(), ["env", "GOVERSION"]).trim();
  } catch {
    throw new EasyKubeError(`building Kubernetes from Debian's source needs Debian's Go at ${debianGo()}: apt-get install golang-go golang-github-modern-go-reflect2-dev dpkg-dev gcc`);
  }
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
