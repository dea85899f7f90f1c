/** hostname: the running host name and /etc/hostname. */
import { shellQuote } from "../connection/quote.js";
import { runChecked } from "../connection/types.js";
import { EasyKubeError } from "../errors.js";
import { defineFact } from "../facts/fact.js";
import type { Operation, Plan } from "./operation.js";

const hostnameState = defineFact<null, { running: string; configured: string }>({
  name: "hostname",
  command: () => `hostname; cat /etc/hostname 2>/dev/null || true`,
  parse: ({ stdout }) => {
    const [running = "", configured = ""] = stdout.split("\n");
    return { running: running.trim(), configured: configured.trim() };
  },
});

export function hostname(name: string): Operation {
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name)) {
    throw new EasyKubeError(`'${name}' is not a valid host name (letters, digits, '-' and '.')`);
  }
  return {
    title: `hostname ${name}`,
    async plan(target): Promise<Plan> {
      const state = await target.facts.get(hostnameState, null);
      const changes = [
        ...(state.running !== name ? [`hostname ${state.running} -> ${name}`] : []),
        ...(state.configured !== name ? [`/etc/hostname ${state.configured || "(empty)"} -> ${name}`] : []),
      ];
      if (changes.length === 0) return { changes };
      const q = shellQuote(name);
      return {
        changes,
        apply: () =>
          runChecked(
            target.connection,
            // hostnamectl needs systemd-hostnamed; without it, write the file and set the kernel's name.
            `hostnamectl set-hostname ${q} 2>/dev/null || { printf '%s\\n' ${q} > /etc/hostname && hostname ${q}; }`,
          ).then(() => undefined),
      };
    },
  };
}
