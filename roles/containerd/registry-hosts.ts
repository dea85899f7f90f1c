/**
 * The registry hosts files easy-kube wrote and the inventory dropped: removed (a mirror taken out
 * of containerd_registry_mirrors must stop being used). Only files that carry the role's marker
 * are candidates, so a hosts.toml written by hand stays.
 */
import { OperationFailed, shellQuote, type Operation } from "easy-kube";

export const MANAGED_MARKER = "# Managed by easy-kube (role containerd)";

export function pruneRegistryHosts(certsDir: string, wanted: readonly string[]): Operation {
  const list = `for f in ${shellQuote(certsDir)}/*/hosts.toml; do [ -f "$f" ] && head -n 1 "$f" | grep -qF ${shellQuote(MANAGED_MARKER)} && printf '%s\\n' "$f"; done; true`;
  return {
    title: `prune registry hosts in ${certsDir}`,
    async plan(target) {
      const managed = (await target.connection.run(list)).stdout.split("\n").filter(Boolean);
      const stale = managed.filter((file) => !wanted.includes(file.slice(certsDir.length + 1, -"/hosts.toml".length)));
      return {
        changes: stale.map((file) => `remove ${file}`),
        async apply() {
          const folders = stale.map((file) => shellQuote(file.slice(0, -"/hosts.toml".length)));
          const removed = await target.connection.run(`rm -f -- ${stale.map(shellQuote).join(" ")} && rmdir --ignore-fail-on-non-empty -- ${folders.join(" ")}`);
          if (removed.code !== 0) throw new OperationFailed(`removing ${stale.join(", ")} failed: ${removed.stderr.trim()}`);
        },
      };
    },
  };
}
