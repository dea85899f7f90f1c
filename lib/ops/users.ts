/** user and group: local accounts, created or changed with the shadow utilities. */
import { shellCommand, shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { defineFact } from "../facts/fact.js";
import type { Operation, Plan } from "./operation.js";

interface Account {
  readonly uid: string;
  readonly gid: string;
  readonly home: string;
  readonly shell: string;
  readonly primaryGroup: string;
  readonly groups: string[];
}

const accountState = defineFact<string, Account | undefined>({
  name: "user",
  command: (name) => `if e=$(getent passwd ${shellQuote(name)}); then echo "$e"; id -gn ${shellQuote(name)}; id -Gn ${shellQuote(name)}; else exit 2; fi`,
  parse: ({ stdout, code }) => {
    if (code !== 0) return undefined;
    const [entry = "", primary = "", groups = ""] = stdout.split("\n");
    const [, , uid = "", gid = "", , home = "", shell = ""] = entry.split(":");
    return { uid, gid, home, shell, primaryGroup: primary.trim(), groups: groups.trim().split(/\s+/).filter(Boolean) };
  },
});

const groupState = defineFact<string, { gid: string } | undefined>({
  name: "group",
  command: (name) => `getent group ${shellQuote(name)} || exit 2`,
  parse: ({ stdout, code }) => (code === 0 ? { gid: stdout.split(":")[2] ?? "" } : undefined),
});

export interface GroupArgs {
  readonly name: string;
  readonly gid?: number;
  readonly system?: boolean;
  /** @default "present" */
  readonly state?: "present" | "absent";
}

export function group(args: GroupArgs): Operation {
  return {
    title: `group ${args.name}`,
    async plan(target): Promise<Plan> {
      const current = await target.facts.get(groupState, args.name);
      const run = (cmd: string) => async () => void (await runChecked(target.connection, cmd));
      if ((args.state ?? "present") === "absent") {
        return current ? { changes: [`remove group ${args.name}`], apply: run(shellCommand("groupdel", args.name)) } : { changes: [] };
      }
      const gidFlags = args.gid !== undefined ? ["-g", String(args.gid)] : [];
      if (!current) return { changes: [`create group ${args.name}`], apply: run(shellCommand("groupadd", ...(args.system ? ["-r"] : []), ...gidFlags, args.name)) };
      if (args.gid !== undefined && current.gid !== String(args.gid)) {
        return { changes: [`gid ${current.gid} -> ${args.gid}`], apply: run(shellCommand("groupmod", ...gidFlags, args.name)) };
      }
      return { changes: [] };
    },
  };
}

export interface UserArgs {
  readonly name: string;
  readonly uid?: number;
  /** Primary group (must exist). */
  readonly group?: string;
  /** Supplementary groups the user must be in (others are left alone). */
  readonly groups?: readonly string[];
  readonly shell?: string;
  readonly home?: string;
  readonly system?: boolean;
  /** @default true, except for system users */
  readonly createHome?: boolean;
  /** @default "present" */
  readonly state?: "present" | "absent";
}

export function user(args: UserArgs): Operation {
  return {
    title: `user ${args.name}`,
    async plan(target): Promise<Plan> {
      const current = await target.facts.get(accountState, args.name);
      const run = (cmd: string) => async () => void (await runChecked(target.connection, cmd));
      if ((args.state ?? "present") === "absent") {
        return current ? { changes: [`remove user ${args.name}`], apply: run(shellCommand("userdel", args.name)) } : { changes: [] };
      }
      if (!current) {
        const flags = [
          ...(args.system ? ["--system"] : []),
          ...((args.createHome ?? !args.system) ? ["--create-home"] : ["--no-create-home"]),
          ...(args.uid !== undefined ? ["--uid", String(args.uid)] : []),
          ...(args.group ? ["--gid", args.group] : []),
          ...(args.groups?.length ? ["--groups", args.groups.join(",")] : []),
          ...(args.shell ? ["--shell", args.shell] : []),
          ...(args.home ? ["--home-dir", args.home] : []),
        ];
        return { changes: [`create user ${args.name}`], apply: run(shellCommand("useradd", ...flags, args.name)) };
      }
      const changes: string[] = [];
      const flags: string[] = [];
      if (args.uid !== undefined && current.uid !== String(args.uid)) changes.push(`uid ${current.uid} -> ${args.uid}`), flags.push("--uid", String(args.uid));
      if (args.group !== undefined && current.primaryGroup !== args.group) changes.push(`group ${current.primaryGroup} -> ${args.group}`), flags.push("--gid", args.group);
      if (args.shell !== undefined && current.shell !== args.shell) changes.push(`shell ${current.shell} -> ${args.shell}`), flags.push("--shell", args.shell);
      if (args.home !== undefined && current.home !== args.home) changes.push(`home ${current.home} -> ${args.home}`), flags.push("--home", args.home);
      const missingGroups = (args.groups ?? []).filter((g) => !current.groups.includes(g));
      if (missingGroups.length > 0) changes.push(`add to groups ${missingGroups.join(",")}`), flags.push("--append", "--groups", missingGroups.join(","));
      if (changes.length === 0) return { changes };
      return { changes, apply: run(`usermod ${flags.map(shellQuote).join(" ")} ${shellQuote(args.name)}`) };
    },
  };
}
