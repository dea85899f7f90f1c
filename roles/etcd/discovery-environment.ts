/**
 * The discovery URL reaches etcd as ETCD_DISCOVERY in a root-only environment file, never in the
 * unit: a unit is world-readable (0644), shown by --diff and `systemctl cat`, and a command-line
 * flag is visible to every user in `ps`. Whoever has the URL can join the cluster.
 */
import { copy, file, type Operation } from "easy-kube";

export const DISCOVERY_ENV_FILE = "/etc/etcd/discovery.env";

/** The file with the URL for the discovery bootstrap; none for the static one. */
export function discoveryEnvironment(url: string | undefined): Operation[] {
  if (url === undefined) return [file({ path: DISCOVERY_ENV_FILE, state: "absent" })];
  return [
    file({ path: "/etc/etcd", state: "directory", mode: "0755", owner: "root", group: "root" }),
    copy({ content: `ETCD_DISCOVERY=${url}\n`, dest: DISCOVERY_ENV_FILE, mode: "0600", owner: "root", group: "root", secret: true }),
  ];
}
