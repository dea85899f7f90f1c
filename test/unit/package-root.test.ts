/**
 * easy-kube's package folder above a module: the repository for the sources, the build's own folder
 * for a dist-like tree (its package.json named easy-kube), none at all elsewhere - and a broken
 * package.json on the way up is passed, not fatal.
 */
import { expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../lib/util/package-root.js";

it("finds the sources' repository, a build's own folder, or nothing", () => {
  const repo = join(import.meta.dirname, "../..");
  expect(packageRoot(join(repo, "lib/bundle/kubernetes-source"))).toBe(repo);

  const outside = mkdtempSync(join(tmpdir(), "ek-root-"));
  const dist = join(outside, "project", "dist");
  mkdirSync(join(dist, "engine", "bundle"), { recursive: true });
  writeFileSync(join(outside, "project", "package.json"), "{ broken");
  writeFileSync(join(dist, "package.json"), JSON.stringify({ name: "easy-kube" }));
  expect(packageRoot(join(dist, "engine", "bundle"))).toBe(dist);

  const elsewhere = join(outside, "project", "other", "deep");
  mkdirSync(elsewhere, { recursive: true });
  expect(packageRoot(elsewhere)).toBeUndefined();
});
