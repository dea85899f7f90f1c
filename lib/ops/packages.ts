/**
 * packages: OS packages present or absent, with apt on Debian/Ubuntu and dnf/yum on CentOS/RHEL.
 * Names may pin a version in the manager's syntax (`docker-ce=5:20.10.*`, `docker-ce-17.12.0.ce`):
 * such a package is present only when the installed version matches (package-spec.ts).
 */
import { shellCommand } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import { installedPackages, packageManager, type PackageManager } from "../facts/packages.js";
import type { Operation, Plan } from "./operation.js";
import { parsePackageSpec } from "./package-spec.js";

export interface PackagesArgs {
  /** Package names, each perhaps with a version in the manager's syntax (apt `name=version`, yum/dnf `name-version[-release]`; globs allowed). */
  readonly names: readonly string[];
  /** @default "present" */
  readonly state?: "present" | "absent";
  /** Refresh the package index before installing (apt-get update / yum makecache). */
  readonly updateCache?: boolean;
}

export function packages(args: PackagesArgs): Operation {
  const state = args.state ?? "present";
  return {
    title: `packages ${state} ${args.names.join(" ")}`,
    async plan(target): Promise<Plan> {
      if (args.names.length === 0) return { changes: [] };
      const manager = await target.facts.get(packageManager, null);
      if (!manager) throw new EasyKubeError("no supported package manager (apt-get, dnf or yum) on this host");
      const specs = args.names.map((name) => parsePackageSpec(manager, name));
      const installed = await target.facts.get(installedPackages, { manager, names: [...new Set(specs.flatMap((s) => s.names))] });
      const changes: string[] = [];
      const todo: string[] = [];
      for (const spec of specs) {
        const satisfied = spec.satisfiedBy(installed);
        if ((satisfied !== undefined) === (state === "present")) continue;
        todo.push(spec.spec);
        const other = state === "present" ? spec.names.map((n) => installed.get(n) && `${n} ${installed.get(n)}`).find(Boolean) : undefined;
        changes.push(`${state === "present" ? "install" : "remove"} ${spec.spec}${other ? ` (installed: ${other})` : ""}`);
      }
      if (todo.length === 0) return { changes: [] };
      return {
        changes,
        apply: () => runChecked(target.connection, packageScript(manager, state, todo, args.updateCache ?? false), { timeoutMs: 30 * 60_000 }).then(() => undefined),
      };
    },
  };
}

export function packageScript(manager: PackageManager, state: "present" | "absent", names: readonly string[], updateCache: boolean): string {
  if (manager === "apt") {
    const env = "export DEBIAN_FRONTEND=noninteractive";
    if (state === "absent") return `${env}\n${shellCommand("apt-get", "remove", "-y", "--", ...names)}`;
    return [env, ...(updateCache ? ["apt-get update -q"] : []), shellCommand("apt-get", "install", "-y", "-q", "--no-install-recommends", "--", ...names)].join("\n");
  }
  if (state === "absent") return shellCommand(manager, "remove", "-y", "--", ...names);
  return [...(updateCache ? [`${manager} makecache -q`] : []), shellCommand(manager, "install", "-y", "-q", "--", ...names)].join("\n");
}
