/**
 * sysctl: kernel parameters set now and persisted in a sysctl.d file. A parameter the kernel does
 * not have, or one the host forbids changing (a container's read-only /proc/sys), fails with the
 * parameter's name, so a role's list can be adjusted per host instead of failing vaguely.
 */
import { shellQuote } from "../connection/quote.js";
import { OperationFailed, type Operation, type Plan } from "./operation.js";
import { joinLines, splitLines } from "./edit-file.js";
import { writeRemoteFile } from "./remote-file.js";
import { sameSysctlValue, sysctlState } from "../facts/sysctl.js";

export interface SysctlArgs {
  readonly values: Readonly<Record<string, string | number>>;
  /** @default "/etc/sysctl.d/99-easy-kube.conf" */
  readonly file?: string;
  /** Parameters this kernel lacks are skipped instead of failing (e.g. bridge keys without br_netfilter). */
  readonly ignoreMissing?: boolean;
}

export function sysctl(args: SysctlArgs): Operation {
  const file = args.file ?? "/etc/sysctl.d/99-easy-kube.conf";
  const keys = Object.keys(args.values);
  return {
    title: `sysctl ${keys.join(" ")}`,
    async plan(target): Promise<Plan> {
      const state = await target.facts.get(sysctlState, { keys, file });
      const missing = keys.filter((k) => state.live.get(k) === undefined);
      if (missing.length > 0 && !args.ignoreMissing) {
        throw new OperationFailed(`kernel parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not found on this host (module not loaded, or not in this kernel)`);
      }
      const present = keys.filter((k) => !missing.includes(k));
      const liveChanges = present.filter((k) => !sameSysctlValue(state.live.get(k)!, args.values[k]!));
      const persisted = persistValues(state.persisted, present, args.values);
      const changes = [
        ...liveChanges.map((k) => `${k} = ${args.values[k]} (now ${state.live.get(k)})`),
        ...(persisted !== state.persisted ? [`persist in ${file}`] : []),
      ];
      if (changes.length === 0) return { changes };
      return {
        changes,
        diffs: target.diff && persisted !== state.persisted ? [{ path: file, before: state.persisted, after: persisted }] : [],
        async apply() {
          // Live values first: a key the host refuses must not end up in the file read at boot.
          for (const key of liveChanges) {
            const result = await target.connection.run(`sysctl -w ${shellQuote(`${key}=${args.values[key]}`)}`);
            if (result.code !== 0) {
              const denied = /denied|read-only|Read-only/i.test(result.stderr);
              throw new OperationFailed(
                denied
                  ? `kernel parameter ${key} cannot be changed on this host (${result.stderr.trim()}); a container shares the kernel. Remove it from the list for this host`
                  : `sysctl -w ${key}=${args.values[key]} failed: ${result.stderr.trim()}`,
              );
            }
          }
          if (persisted !== state.persisted) await writeRemoteFile(target.connection, file, persisted, { mode: "0644" });
        },
      };
    },
  };
}

/** The file's text with `key = value` for each key, replacing earlier settings of the same key. */
function persistValues(text: string, keys: readonly string[], values: Readonly<Record<string, string | number>>): string {
  const lines = splitLines(text);
  for (const key of keys) {
    const wanted = `${key} = ${values[key]}`;
    const pattern = new RegExp(`^\\s*${key.replace(/[.]/g, "[./]")}\\s*=`);
    const index = lines.findIndex((l) => pattern.test(l));
    if (index < 0) lines.push(wanted);
    else if (!sameSysctlValue(lines[index]!.split("=").slice(1).join("="), values[key]!)) lines[index] = wanted;
  }
  return joinLines(lines);
}
