/** A systemd unit's load, activity and enablement, from one `systemctl show`. */
import { shellQuote } from "../connection/quote.js";
import { EasyKubeError } from "../errors.js";
import { defineFact } from "./fact.js";

export interface UnitState {
  readonly loadState: string;
  readonly activeState: string;
  readonly unitFileState: string;
  readonly needDaemonReload: boolean;
}

export const systemdUnit = defineFact<string, UnitState>({
  name: "systemd_unit",
  command: (unit) => `systemctl show --property=LoadState,ActiveState,UnitFileState,NeedDaemonReload -- ${shellQuote(unit)}`,
  parse({ stdout, stderr, code }, unit) {
    if (code !== 0) {
      const reason = /not been booted with systemd|Failed to connect to bus/.test(stderr) ? "systemd is not running on this host" : stderr.trim();
      throw new EasyKubeError(`cannot read the state of unit ${unit}: ${reason || `exit code ${code}`}`);
    }
    const fields = new Map(stdout.split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    return {
      loadState: fields.get("LoadState") ?? "",
      activeState: fields.get("ActiveState") ?? "",
      unitFileState: fields.get("UnitFileState") ?? "",
      needDaemonReload: fields.get("NeedDaemonReload") === "yes",
    };
  },
});
