/** swapOff: no active swap, and swap lines in /etc/fstab commented out so it stays off after reboot. */
import { EasyKubeError } from "../errors.js";
import { defineFact } from "../facts/fact.js";
import { fileWithContent } from "../facts/file-state.js";
import { runChecked } from "../connection/types.js";
import type { Operation, Plan } from "./operation.js";
import { writeRemoteFile } from "./remote-file.js";

const activeSwaps = defineFact<null, number>({
  name: "active_swaps",
  command: () => "tail -n +2 /proc/swaps",
  parse: ({ stdout, code, stderr }) => {
    if (code !== 0) throw new EasyKubeError(`cannot read /proc/swaps: ${stderr.trim()}`);
    return stdout.split("\n").filter((l) => l.trim()).length;
  },
});

const SWAP_LINE = /^\s*[^#\s]\S*\s+\S+\s+swap\s/;

export function swapOff(): Operation {
  return {
    title: "swap off",
    async plan(target): Promise<Plan> {
      const active = await target.facts.get(activeSwaps, null);
      const fstab = await target.facts.get(fileWithContent, "/etc/fstab");
      const edited = fstab.content
        .split("\n")
        .map((l) => (SWAP_LINE.test(l) ? `# ${l} # disabled by easy-kube: Kubernetes needs swap off` : l))
        .join("\n");
      const changes = [...(active > 0 ? [`swapoff (${active} active)`] : []), ...(edited !== fstab.content ? ["comment out swap in /etc/fstab"] : [])];
      if (changes.length === 0) return { changes };
      return {
        changes,
        diffs: target.diff && edited !== fstab.content ? [{ path: "/etc/fstab", before: fstab.content, after: edited }] : [],
        async apply() {
          if (active > 0) await runChecked(target.connection, "swapoff -a");
          if (edited !== fstab.content) await writeRemoteFile(target.connection, "/etc/fstab", edited);
        },
      };
    },
  };
}
