/**
 * An apt repository made on the control machine (apt-get download from Debian, then a Packages
 * index written here), for installing real packages on lab machines that have no route to any
 * mirror: `lab up --packages` (and the tests) put it in each machine as a trusted local source.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A repository with the packages, and with `withDependencies` everything they need, from Debian. */
export function buildLocalAptRepo(packageNames: string | readonly string[], options: { withDependencies?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "ek-apt-repo-"));
  // apt downloads as its own user, which must be able to write there (not everyone: a .deb
  // slipped in by another user would end up installed on the lab machines).
  chmodSync(dir, 0o755);
  try {
    execFileSync("chown", ["_apt", dir], { stdio: "ignore" });
  } catch {
    // no _apt user: apt downloads as root, with a warning
  }
  const names = typeof packageNames === "string" ? [packageNames] : [...packageNames];
  const wanted = options.withDependencies
    ? execFileSync("apt-cache", ["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", ...names], { encoding: "utf8" })
        .split("\n")
        .filter((line) => /^[a-z0-9]/.test(line))
    : names;
  execFileSync("apt-get", ["download", "-q", ...new Set(wanted)], { cwd: dir, stdio: "ignore" });
  const debs = readdirSync(dir).filter((f) => f.endsWith(".deb"));
  const entries = debs.map((deb) => {
    const path = join(dir, deb);
    const control = execFileSync("dpkg-deb", ["-f", path], { encoding: "utf8" }).trimEnd();
    const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
    return `${control}\nFilename: ./${deb}\nSize: ${statSync(path).size}\nSHA256: ${sha256}\n`;
  });
  writeFileSync(join(dir, "Packages"), entries.join("\n"));
  return dir;
}

/** Where a lab machine finds the repository, and its apt source line. */
export const LAB_REPO_PATH = "srv/easy-kube-repo";

/** Puts the repository into a machine (through its overlay root) with an apt source naming it. */
export function offerRepo(repo: string, machineRoot: string): void {
  placeRepo(repo, machineRoot, LAB_REPO_PATH);
  mkdirSync(join(machineRoot, "etc/apt/sources.list.d"), { recursive: true });
  writeFileSync(join(machineRoot, "etc/apt/sources.list.d/easy-kube-lab.list"), `deb [trusted=yes] file:/${LAB_REPO_PATH} ./\n`);
}

/** Copies the repository into a lab machine's filesystem (through its overlay root). */
export function placeRepo(repo: string, machineRoot: string, path: string): void {
  mkdirSync(join(machineRoot, path), { recursive: true });
  cpSync(repo, join(machineRoot, path), { recursive: true });
}
