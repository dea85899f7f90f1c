/**
 * The builds a component's bundle takes from source, run ahead of `easy-kube bundle` (install-deps
 * fills the caches the tests and the demo use): Go modules for bundle source `go`, Debian's source
 * package for Kubernetes with bundle source `debian`, and the pause program the built images hold.
 * Components that are downloaded or unpacked build nothing.
 */
import { componentSource, VERSION_VARIABLE, type Arch, type BundleSource, type ComponentName } from "./bundle-vars.js";
import { buildFromGoModules } from "./go-source/go-module-build.js";
import { kubernetesFromDebianSource } from "./kubernetes-source/kubernetes-build.js";
import { imageBuilds } from "./images/debian-images.js";
import { componentManifest } from "./manifest.js";

export interface PrebuildVars {
  readonly bundle_source: BundleSource;
  readonly bundle_sources: Partial<Record<ComponentName, BundleSource>>;
  readonly bundle_arch: Arch;
  readonly [name: string]: unknown;
}

/** Where the component's programs were built (or found built), or undefined when it is not built from source. */
export async function prebuildComponent(component: ComponentName, vars: PrebuildVars, log: (line: string) => void): Promise<string | undefined> {
  const source = componentSource(component, vars);
  const version = String(vars[VERSION_VARIABLE[component]]).replace(/^v/, "");
  const arch = vars.bundle_arch;
  if (component === "images") return source === "go" || source === "debian" ? imageBuilds(source, version, arch, log) : undefined;
  const origin = componentManifest(component, version, arch, source).origin;
  if (origin.kind === "go-build") return (await buildFromGoModules({ component, version, arch, recipe: origin.recipe }, log)).origin;
  if (origin.kind === "source-build") return (await kubernetesFromDebianSource(version, arch, origin.programs, log)).origin;
  return undefined;
}
