/**
 * apt with pinned versions on the lab machines (a local repository of Debian's `tree`): a package
 * pinned exactly or by a glob installs once, and the re-run reports ok (it was "changed" on every
 * run while the installed-packages fact was keyed by the bare name only).
 */
import { describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { line, packages } from "../../lib/ops/index.js";
import type { Playbook } from "../../lib/runner/types.js";
import { buildLocalAptRepo, placeRepo } from "../helpers/local-apt-repo.js";
import { runCollecting, statuses } from "../helpers/run.js";

const lab = inject("lab");

function pinned(names: string[], state: "present" | "absent" = "present"): Playbook {
  return {
    name: "pinned packages",
    plays: [
      {
        name: "pinned",
        hosts: "lab",
        gatherFacts: false,
        tasks: [
          { name: "local repository", action: () => line({ path: "/etc/apt/sources.list.d/easy-kube-test.list", line: "deb [trusted=yes] file:/srv/easy-kube-repo ./", create: true }) },
          { name: "packages", action: () => packages({ names, state, updateCache: true }) },
        ],
      },
    ],
  };
}

describe("apt with pinned versions", () => {
  it("installs tree=<version> and tree=<glob> once; the re-run reports ok", async () => {
    const repo = buildLocalAptRepo("tree");
    for (const machine of lab.machines) placeRepo(repo, machine.root, "srv/easy-kube-repo");
    // The version Debian has, e.g. 2.1.0-1: pinned exactly, and by the glob of its major version.
    const version = execFileSync("dpkg-deb", ["-f", execFileSync("sh", ["-c", `ls ${repo}/tree_*.deb`], { encoding: "utf8" }).trim(), "Version"], { encoding: "utf8" }).trim();
    const everyHost = (status: string) => lab.machines.map((m) => `${m.name}:${status}`);
    for (const spec of [`tree=${version}`, `tree=${version.split(".")[0]}.*`]) {
      expect((await runCollecting(pinned(["tree"], "absent"), lab.inventoryFile)).exitCode).toBe(0);
      const first = await runCollecting(pinned([spec]), lab.inventoryFile);
      expect(first.exitCode, JSON.stringify(first.results.filter((r) => r.status === "failed"))).toBe(0);
      expect(statuses(first.results, "packages"), spec).toEqual(everyHost("changed"));
      const again = await runCollecting(pinned([spec]), lab.inventoryFile);
      expect(statuses(again.results, "packages"), spec).toEqual(everyHost("ok"));
    }
    // Another version than the installed one is a change (apt would say what it can install).
    const other = await runCollecting(pinned(["tree=0.1-1"]), lab.inventoryFile, { check: true });
    expect(other.results.find((r) => r.task === "packages")?.changes).toEqual([`install tree=0.1-1 (installed: tree ${version})`]);
  }, 240_000);
});
