/**
 * Builds the lab's Kubernetes (the kube_version of inventory/lab/group_vars/all.yml) from Debian's
 * source package into the build cache, once: scripts/install-deps.sh runs it, so the tests that
 * start a real kube-apiserver or read the programs' help find them on a fresh machine, and the
 * demo's first bundle is quick. A build already cached takes a second.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Arch } from "../lib/bundle/bundle-vars.ts";
import { kubernetesFromDebianSource } from "../lib/bundle/kubernetes-source/kubernetes-build.ts";
import { KUBERNETES_PROGRAMS } from "../lib/bundle/manifest.ts";

const labVars = parse(readFileSync(join(import.meta.dirname, "../inventory/lab/group_vars/all.yml"), "utf8")) as { kube_version?: unknown };
const version = String(labVars.kube_version);
const arch = execFileSync("dpkg", ["--print-architecture"], { encoding: "utf8" }).trim() as Arch;
const build = await kubernetesFromDebianSource(version, arch, [...KUBERNETES_PROGRAMS, "pause"], (line) => console.log(`kubernetes ${version}: ${line}`));
console.log(`kubernetes ${version} for ${arch}: ${build.origin}`);
