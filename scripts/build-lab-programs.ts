/**
 * Builds the programs the lab's profiles take from source into the build caches, once:
 * scripts/install-deps.sh runs it, so the tests that start a real kube-apiserver, read the
 * programs' help or boot a cluster find them on a fresh machine, and the demo's first bundle is
 * quick. The profiles are the committed group_vars of inventory/lab (the current release, built
 * from Go modules) and inventory/lab-docker (1.20.2 on Docker, Kubernetes from Debian's source).
 * Builds already cached take a second each. `--profile lab-docker` builds one profile only.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { prebuildComponent } from "../lib/bundle/prebuild.ts";
import { bundleVars, type Arch } from "../lib/bundle/bundle-vars.ts";
import { resolveRoleVars } from "../lib/vars/resolve-role-vars.ts";

const PROFILES = ["lab", "lab-docker"] as const;
const { values } = parseArgs({ options: { profile: { type: "string", multiple: true } } });
const profiles = values.profile ?? [...PROFILES];
const arch = execFileSync("dpkg", ["--print-architecture"], { encoding: "utf8" }).trim() as Arch;

for (const profile of profiles) {
  const file = join(import.meta.dirname, "../inventory", profile, "group_vars/all.yml");
  const raw = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const { values: vars, problems } = resolveRoleVars(bundleVars, { ...raw, bundle_arch: arch }, new Map(), profile);
  if (problems.length > 0) throw new Error(problems.map((p) => `${file}: ${p.message}`).join("\n"));
  for (const component of vars.bundle_components) {
    const started = Date.now();
    const built = await prebuildComponent(component, vars, (line) => console.log(`${profile} ${component}: ${line}`));
    if (built) console.log(`${profile} ${component}: ${built} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}
