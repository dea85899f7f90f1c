/**
 * Builds from Go modules: which replaces are a repository's own folders (read by the real
 * `go mod edit -json`), the cache key, and the build script run over a plan with a stand-in `go`
 * that records how it was called - so the fields reach `go build` as meant (an empty tags field
 * once shifted the version stamps into -tags: crictl printed "version unknown").
 */
import { describe, expect, it } from "vitest";
import { missingBuild } from "../helpers/require-built.js";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBuildKey, localReplaces, moduleGo, planLines, script } from "../../lib/bundle/go-source/go-module-build.js";
import { crictlRecipe, kubernetesRecipe } from "../../lib/bundle/go-source/go-recipes.js";

const hasGo = (() => {
  try {
    execFileSync(moduleGo(), ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("builds from Go modules", () => {
  it.skipIf(missingBuild(hasGo, "Go for module builds"))("treats only replaces by a folder of the repository as local (go mod edit -json)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-gomod-"));
    const goMod = join(dir, "go.mod");
    writeFileSync(goMod, "module example.com/m\n\ngo 1.22\n\nreplace (\n\texample.com/api => ../api\n\texample.com/staging => ./staging/src/example.com/staging\n\texample.com/fork => example.com/fork v1.2.3\n\texample.com/abs => /abs/path\n)\n");
    expect(localReplaces(goMod)).toEqual(["example.com/api", "example.com/staging"]);
  });

  it("keys a build by component, version, Go version, arch and recipe hash", () => {
    const key = goBuildKey("kubernetes", "1.37.2", "go1.26.8", "amd64", "ab".repeat(32));
    expect(key).toBe("kubernetes-1.37.2_go1.26.8_amd64_abababababab");
    const variants = [goBuildKey("etcd", "1.37.2", "go1.26.8", "amd64", "ab".repeat(32)), goBuildKey("kubernetes", "1.37.1", "go1.26.8", "amd64", "ab".repeat(32)), goBuildKey("kubernetes", "1.37.2", "go1.26.9", "amd64", "ab".repeat(32)), goBuildKey("kubernetes", "1.37.2", "go1.26.8", "arm64", "ab".repeat(32)), goBuildKey("kubernetes", "1.37.2", "go1.26.8", "amd64", "cd".repeat(32))];
    expect(new Set([key, ...variants]).size).toBe(6);
  });

  it("points Kubernetes' staging modules at k8s.io/<name> v0.N.P, with upstream's version stamps", () => {
    const recipe = kubernetesRecipe({ version: "1.37.2", releaseTime: "2026-10-27T12:01:04Z", arch: "amd64" });
    expect(recipe.replacedVersion("k8s.io/api", "1.37.2")).toBe("v0.37.2");
    expect(recipe.programs.map((p) => p.name)).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"]);
    expect(recipe.programs[3]!.stamps).toMatchObject({ "k8s.io/component-base/version.gitVersion": "v1.37.2", "k8s.io/component-base/version.gitMinor": "37", "k8s.io/component-base/version.buildDate": "2026-10-27T12:01:04Z" });
  });

  it("the build script hands each plan field to go as meant, empty ones included", () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-goplan-"));
    const fakeBin = join(dir, "fake-bin");
    mkdirSync(fakeBin);
    // A stand-in go: records its arguments and environment, writes the -o file.
    writeFileSync(
      join(fakeBin, "go"),
      `#!/bin/sh\n{ printf 'CGO_ENABLED=%s GOWORK=%s |' "$CGO_ENABLED" "$GOWORK"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> ${dir}/calls\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && { echo built > "$2"; }; shift; done\n`,
    );
    chmodSync(join(fakeBin, "go"), 0o755);
    const moduleDir = join(dir, "module");
    mkdirSync(moduleDir);
    writeFileSync(join(moduleDir, "go.mod"), "module sigs.k8s.io/cri-tools\n");
    const plan = planLines(crictlRecipe({ version: "1.37.0", releaseTime: "", arch: "amd64" }), [{ Path: "sigs.k8s.io/cri-tools", Dir: moduleDir, GoMod: join(moduleDir, "go.mod") }], "1.37.0");
    const planFile = join(dir, "plan.tsv");
    writeFileSync(planFile, plan);
    execFileSync("bash", [script(), planFile, join(dir, "work"), join(dir, "out")], { env: { ...process.env, PATH: `${fakeBin}:${process.env["PATH"]}` }, stdio: "pipe" });
    const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    expect(calls).toEqual([
      `CGO_ENABLED=0 GOWORK=off | [build] [-trimpath] [-tags] [] [-ldflags] [-s -w -buildid= -X sigs.k8s.io/cri-tools/pkg/version.Version=v1.37.0 ] [-o] [${join(dir, "out")}/.crictl.tmp] [./cmd/crictl]`,
    ]);
    expect(readFileSync(join(dir, "out", "crictl"), "utf8")).toBe("built\n");
  });
});
