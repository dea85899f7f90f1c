/**
 * What roles use: one installBinary per file of a component in the bundle (each checked against
 * the lock's sha256 before it is sent; the files sent concurrently), the task that installs them and
 * notifies the restart of the services running them, and the check that runs before any host is
 * touched.
 */
import { EasyKubeError } from "../errors.js";
import type { Vars } from "../inventory/model.js";
import { dockerImage } from "../ops/docker-image.js";
import { concurrently } from "../ops/concurrently.js";
import { installBinary } from "../ops/install-binary.js";
import type { Operation } from "../ops/operation.js";
import type { RoleCheck, Task } from "../runner/types.js";
import { VERSION_VARIABLE, type Arch, type ComponentName } from "./bundle-vars.js";
import { bundledFiles } from "./bundle-lock.js";
import { bundleDirFor } from "./bundle-plan.js";
import { bundleImages } from "./images/bundle-images.js";

function filesFor(vars: Vars, component: ComponentName) {
  const dir = bundleDirFor(String(vars["bundle_dir"] ?? ""), vars["inventory_dir"] as string | undefined);
  return bundledFiles(dir, component, String(vars[VERSION_VARIABLE[component]]), vars["bundle_arch"] as Arch);
}

/**
 * installBinary for every file of the component (or only `names`), into `destDir` (default bin_dir),
 * sent concurrently: one operation.
 */
export function installFromBundle(vars: Vars, component: ComponentName, options: { destDir?: string; names?: readonly string[] } = {}): Operation[] {
  const destDir = options.destDir ?? String(vars["bin_dir"]);
  const installs = filesFor(vars, component)
    .filter((f) => !options.names || options.names.includes(f.name))
    .map((f) => installBinary({ src: f.path, dest: `${destDir}/${f.name}`, sha256: f.sha256 }));
  return [concurrently(`install ${component} into ${destDir}`, installs)];
}

/** Each image archive of the bundle's images component with the reference it carries once loaded. */
export function bundledImages(vars: Vars): { name: string; path: string; sha256: string; reference: string }[] {
  const references = new Map(bundleImages(String(vars["kube_version"]), vars["bundle_arch"] as Arch).map((i) => [i.file, i.reference]));
  return filesFor(vars, "images").map((f) => {
    const reference = references.get(f.name);
    if (!reference) throw new EasyKubeError(`the bundle's images hold ${f.name}, which Kubernetes ${String(vars["kube_version"])} does not name: fill the bundle again`);
    return { ...f, reference };
  });
}

/** dockerImage for every image archive of the bundle's images component (or only `files`, e.g. ["pause.tar"]). */
export function imagesFromBundle(vars: Vars, files?: readonly string[]): Operation[] {
  return filesFor(vars, "images")
    .filter((f) => !files || files.includes(f.name))
    .map((f) => dockerImage({ archive: f.path, sha256: f.sha256 }));
}

export interface InstallTaskArgs {
  /** @default "install <component> from the bundle" */
  readonly name?: string;
  /**
   * Handlers that restart the services running these programs (see restartHandler). A program
   * replaced on disk leaves the old process running the old version until its service restarts,
   * so a new version is installed only once they ran.
   */
  readonly restarts: readonly string[];
  readonly destDir?: string;
  readonly names?: readonly string[];
}

/** The task installing a component from the bundle (with install_method bundle), notifying `restarts` when a file changed. */
export function installFromBundleTask(component: ComponentName, args: InstallTaskArgs): Task<any> {
  return {
    name: args.name ?? `install ${component} from the bundle`,
    when: ({ vars }) => vars["install_method"] === "bundle",
    action: ({ vars }) => installFromBundle(vars, component, { destDir: args.destDir, names: args.names }),
    notify: args.restarts,
  };
}

/** A role check: every host installing from the bundle finds its component there (else: how to fill it). */
export function bundleHasComponent(component: ComponentName): RoleCheck {
  return ({ hosts, vars }) => {
    const problems = new Set<string>();
    for (const host of hosts) {
      const hostVars = vars(host);
      if (hostVars["install_method"] !== "bundle") continue;
      try {
        filesFor(hostVars, component);
      } catch (error) {
        if (!(error instanceof EasyKubeError)) throw error;
        problems.add(error.message);
      }
    }
    return [...problems];
  };
}
