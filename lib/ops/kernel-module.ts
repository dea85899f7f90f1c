/**
 * kernelModule: a module available now and at boot. A module built into the kernel needs nothing
 * (and cannot be loaded with modprobe, as on kernels without module support); a missing one is
 * loaded and listed in /etc/modules-load.d.
 */
import { shellQuote } from "../connection/quote.js";
import { kernelModuleState } from "../facts/kernel-module.js";
import { OperationFailed, type Operation, type Plan } from "./operation.js";
import { writeRemoteFile } from "./remote-file.js";

export interface KernelModuleArgs {
  readonly name: string;
  /** List it in /etc/modules-load.d/<name>.conf so it loads at boot. @default true */
  readonly persist?: boolean;
}

export function kernelModule(args: KernelModuleArgs): Operation {
  const file = `/etc/modules-load.d/${args.name}.conf`;
  const persist = args.persist ?? true;
  return {
    title: `kernel module ${args.name}`,
    async plan(target): Promise<Plan> {
      const state = await target.facts.get(kernelModuleState, { name: args.name, file });
      if (state.status === "builtin") return { changes: [], data: { builtin: true } };
      const changes: string[] = [];
      if (state.status === "missing") changes.push(`load ${args.name}`);
      if (persist && !state.persisted) changes.push(`persist ${args.name} in ${file}`);
      if (changes.length === 0) return { changes, data: { builtin: false } };
      return {
        changes,
        async apply() {
          if (state.status === "missing") {
            const result = await target.connection.run(`modprobe -- ${shellQuote(args.name)}`);
            if (result.code !== 0) {
              throw new OperationFailed(`kernel module ${args.name} is neither built into this kernel nor loadable: ${result.stderr.trim() || `modprobe exit code ${result.code}`}`);
            }
          }
          if (persist && !state.persisted) await writeRemoteFile(target.connection, file, `${args.name}\n`, { mode: "0644" });
        },
      };
    },
  };
}
