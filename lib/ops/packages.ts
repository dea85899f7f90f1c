/** packages: OS packages present or absent, with apt on Debian/Ubuntu and dnf/yum on CentOS/RHEL. */
import { shellCommand } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import { installedPackages, packageManager, type PackageManager } from "../facts/packages.js";
import type { Operation, Plan } from "./operation.js";

export interface PackagesArgs {
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
      const installed = await target.facts.get(installedPackages, { manager, names: args.names });
      const todo = args.names.filter((name) => installed.has(name) === (state === "absent"));
      if (todo.length === 0) return { changes: [] };
      return {
        changes: todo.map((name) => `${state === "present" ? "install" : "remove"} ${name}`),
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
