/**
 * systemd: a unit's state (started, stopped, restarted, reloaded) and enablement. When a unit file
 * changed on disk systemd reports NeedDaemonReload, and the daemon-reload happens before anything
 * else, so a changed unit is never started from its stale definition.
 */
import { shellQuote } from "../connection/quote.js";
import { systemdUnit } from "../facts/systemd-unit.js";
import { OperationFailed, type Operation, type Plan } from "./operation.js";

export interface SystemdArgs {
  readonly name: string;
  readonly state?: "started" | "stopped" | "restarted" | "reloaded";
  readonly enabled?: boolean;
  /** Reload systemd's units even when it does not ask for it. */
  readonly daemonReload?: boolean;
  /** A missing unit is fine (nothing to do), e.g. firewalld on a host that never had it. */
  readonly ifExists?: boolean;
}

export function systemd(args: SystemdArgs): Operation {
  return {
    title: `systemd ${args.name}`,
    async plan(target): Promise<Plan> {
      const unit = await target.facts.get(systemdUnit, args.name);
      const missing = unit.loadState === "not-found";
      if (missing && args.ifExists) return { changes: [] };
      const changes: string[] = [];
      const commands: string[] = [];
      const q = shellQuote(args.name);
      if (args.daemonReload || unit.needDaemonReload) {
        changes.push("daemon-reload");
        commands.push("systemctl daemon-reload");
      }
      const enabled = unit.unitFileState === "enabled" || unit.unitFileState === "enabled-runtime";
      if (args.enabled === true && !enabled) {
        changes.push(`enable ${args.name}${missing ? " (unit not installed yet)" : ""}`);
        commands.push(`systemctl enable ${q}`);
      } else if (args.enabled === false && enabled) {
        changes.push(`disable ${args.name}`);
        commands.push(`systemctl disable ${q}`);
      }
      const active = unit.activeState === "active" || unit.activeState === "activating" || unit.activeState === "reloading";
      switch (args.state) {
        case "started":
          if (!active) {
            changes.push(`start ${args.name}${missing ? " (unit not installed yet)" : ""}`);
            commands.push(`systemctl start ${q}`);
          }
          break;
        case "stopped":
          if (active) {
            changes.push(`stop ${args.name}`);
            commands.push(`systemctl stop ${q}`);
          }
          break;
        case "restarted":
          changes.push(`restart ${args.name}`);
          commands.push(`systemctl restart ${q}`);
          break;
        case "reloaded":
          changes.push(active ? `reload ${args.name}` : `start ${args.name}`);
          commands.push(active ? `systemctl reload-or-restart ${q}` : `systemctl start ${q}`);
          break;
      }
      // Handlers use it: a unit this task started already runs its new configuration.
      const data = { started: args.state === "started" && !active };
      if (changes.length === 0) return { changes, data };
      return {
        changes,
        data,
        async apply() {
          const result = await target.connection.run(["set -e", ...commands].join("\n"));
          if (result.code !== 0) {
            // The journal says why a unit failed; systemctl alone only says that it did.
            const journal = await target.connection.run(`journalctl -u ${q} -n 15 --no-pager 2>/dev/null || true`);
            throw new OperationFailed(`${commands.join("; ")} failed: ${result.stderr.trim()}\n${journal.stdout.trim()}`);
          }
        },
      };
    },
  };
}

/** firewalld stopped and disabled where it exists (the guide's first step). */
export function firewalldOff(): Operation {
  return systemd({ name: "firewalld", state: "stopped", enabled: false, ifExists: true });
}
