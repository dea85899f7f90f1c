/**
 * What the bundle must hold for an inventory: every host's groups say which components it runs
 * (etcd hosts etcd; masters Kubernetes; nodes Docker, CNI, Kubernetes and images), its variables say which
 * version, architecture and source. Hosts installing from OS packages need nothing from it.
 */
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";
import type { Inventory } from "../inventory/inventory.js";
import type { Vars } from "../inventory/model.js";
import { hostVarsWithMagic } from "../inventory/magic-vars.js";
import { resolveRoleVars } from "../vars/resolve-role-vars.js";
import { containerRuntime, type ContainerRuntime } from "../kube/container-runtime.js";
import { bundleVars, componentSource, VERSION_VARIABLE, type ComponentName } from "./bundle-vars.js";
import type { BundleRequest } from "./fill-bundle.js";

/** What a host of each group runs; a node's container runtime adds its own programs. */
function componentsOf(group: string, runtime: ContainerRuntime): readonly ComponentName[] {
  if (group === "etcd") return ["etcd"];
  if (group === "kube_master") return ["kubernetes"];
  if (group === "kube_node") return [...(runtime === "docker" ? (["docker"] as const) : (["containerd", "runc", "crictl"] as const)), "cni", "kubernetes", "images"];
  return [];
}


export interface PlannedComponent {
  readonly bundleDir: string;
  readonly request: BundleRequest;
  readonly hosts: string[];
}

/** The bundle folder: bundle_dir, or .bundle/ beside the (first) inventory. */
export function bundleDirFor(bundleDir: string, inventoryDir: string | undefined): string {
  return bundleDir || join(inventoryDir ?? ".", ".bundle");
}

export function planBundle(inventory: Inventory, extraVars: Vars, only?: readonly ComponentName[]): PlannedComponent[] {
  const planned = new Map<string, PlannedComponent>();
  const problems: string[] = [];
  for (const host of inventory.hostNames()) {
    const groups = inventory.groupNames(host);
    if (!groups.some((g) => componentsOf(g, "docker").length > 0)) continue;
    const { vars: raw, origins } = hostVarsWithMagic(inventory, host, extraVars);
    const { values: vars, problems: varProblems } = resolveRoleVars(bundleVars, raw, origins, host);
    problems.push(...varProblems.map((p) => `${p.where}: host ${p.host}: ${p.message}`));
    if (varProblems.length > 0 || vars.install_method !== "bundle") continue;
    const wanted = new Set(groups.flatMap((g) => componentsOf(g, containerRuntime(vars))));
    const bundleDir = bundleDirFor(vars.bundle_dir, inventory.baseDirs[0]);
    for (const component of wanted) {
      if (!vars.bundle_components.includes(component) || (only && !only.includes(component))) continue;
      const version = String(vars[VERSION_VARIABLE[component]]);
      const request: BundleRequest = { component, version, arch: vars.bundle_arch, source: componentSource(component, vars), mirror: vars.bundle_mirror, debsDir: vars.bundle_debs_dir, checksums: vars.bundle_checksums, imageRegistry: vars.image_registry };
      const key = JSON.stringify([bundleDir, request]);
      const entry = planned.get(key) ?? { bundleDir, request, hosts: [] };
      entry.hosts.push(host);
      planned.set(key, entry);
    }
  }
  if (problems.length > 0) throw new EasyKubeError(problems.join("\n"));
  return [...planned.values()];
}
