/**
 * selinux: the running mode (setenforce) and the mode in /etc/selinux/config for the next boot.
 * Hosts without SELinux (Debian, Ubuntu) need nothing. "disabled" can only take effect at boot, so
 * now the host goes permissive and the config says disabled, as the guide asks.
 */
import { shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { defineFact } from "../facts/fact.js";
import type { Operation, Plan } from "./operation.js";
import { writeRemoteFile } from "./remote-file.js";

const CONFIG = "/etc/selinux/config";

const selinuxState = defineFact<null, { running: string; config: string | undefined }>({
  name: "selinux",
  command: () => `if command -v getenforce >/dev/null 2>&1; then getenforce; else echo Absent; fi; echo ---; cat ${CONFIG} 2>/dev/null || echo __absent__`,
  parse: ({ stdout }) => {
    const [running = "", config = ""] = stdout.split("\n---\n");
    return { running: running.trim().toLowerCase(), config: config.trim() === "__absent__" ? undefined : config };
  },
});

export function selinux(state: "enforcing" | "permissive" | "disabled"): Operation {
  return {
    title: `selinux ${state}`,
    async plan(target): Promise<Plan> {
      const current = await target.facts.get(selinuxState, null);
      if (current.running === "absent" && current.config === undefined) return { changes: [] };
      const wantedRunning = state === "enforcing" ? "enforcing" : "permissive";
      const changes: string[] = [];
      const runningChange = current.running !== "disabled" && current.running !== "absent" && current.running !== wantedRunning;
      if (runningChange) changes.push(`setenforce ${wantedRunning} (now ${current.running})`);
      const config = current.config ?? "";
      const edited = /^SELINUX=.*$/m.test(config) ? config.replace(/^SELINUX=.*$/m, `SELINUX=${state}`) : `${config}${config && !config.endsWith("\n") ? "\n" : ""}SELINUX=${state}\n`;
      if (edited !== config) changes.push(`SELINUX=${state} in ${CONFIG} (applies at next boot)`);
      if (changes.length === 0) return { changes };
      return {
        changes,
        diffs: target.diff && edited !== config ? [{ path: CONFIG, before: config, after: edited }] : [],
        async apply() {
          if (runningChange) await runChecked(target.connection, `setenforce ${shellQuote(wantedRunning === "enforcing" ? "1" : "0")}`);
          if (edited !== config) await writeRemoteFile(target.connection, CONFIG, edited);
        },
      };
    },
  };
}
