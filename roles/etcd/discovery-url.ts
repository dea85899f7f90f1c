/**
 * The guide's discovery URL, minted by easy-kube from a discovery service for the cluster's size
 * and remembered on the control machine (0600: whoever has the URL can join the cluster). A URL
 * serves one bootstrap, so it is reused, never silently replaced: a new one is minted only when
 * asked (etcd_discovery_renew), and a remembered URL for another size is an error.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { OperationFailed, type Operation, type Plan } from "easy-kube";

export interface DiscoveryArgs {
  readonly stateFile: string;
  readonly service: string;
  readonly size: number;
  readonly renew: boolean;
  /** A URL given by the user: used as it is. */
  readonly given: string;
}

interface Remembered {
  readonly url: string;
  readonly size: number;
  readonly service: string;
}

export const NOT_MINTED = "https://discovery.invalid/(minted-on-a-real-run)";

export function discoveryUrl(args: DiscoveryArgs): Operation {
  return {
    title: `etcd discovery URL for ${args.size} members`,
    async plan(): Promise<Plan> {
      if (args.given) return { changes: [], data: { url: args.given } };
      const remembered = existsSync(args.stateFile) ? (JSON.parse(readFileSync(args.stateFile, "utf8")) as Remembered) : undefined;
      if (remembered && !args.renew) {
        if (remembered.size !== args.size) {
          throw new OperationFailed(
            `${args.stateFile} holds a discovery URL for ${remembered.size} members, but the etcd group has ${args.size}. Members join a running cluster with \`etcdctl member add\`, not by discovery; to bootstrap a new cluster instead, re-run with -e etcd_discovery_renew=true (and wiped data dirs)`,
          );
        }
        return { changes: [], data: { url: remembered.url } };
      }
      return {
        changes: [`mint a discovery URL for ${args.size} members from ${args.service}${remembered ? " (replacing the remembered one)" : ""}`],
        data: { url: NOT_MINTED },
        async apply() {
          const url = await mint(args.service, args.size);
          const folder = dirname(args.stateFile);
          mkdirSync(folder, { recursive: true, mode: 0o700 });
          // The URL lets anyone join the cluster: keep it out of the repository holding the inventory.
          if (!existsSync(join(folder, ".gitignore"))) writeFileSync(join(folder, ".gitignore"), "# easy-kube's state for this inventory: never commit it.\n*\n");
          const temporary = `${args.stateFile}.${process.pid}.tmp`;
          writeFileSync(temporary, JSON.stringify({ url, size: args.size, service: args.service }, null, 2) + "\n", { mode: 0o600 });
          chmodSync(temporary, 0o600);
          renameSync(temporary, args.stateFile);
          return { data: { url } };
        },
      };
    },
  };
}

async function mint(service: string, size: number): Promise<string> {
  const endpoint = `${service.replace(/\/+$/, "")}/new?size=${size}`;
  let response: Response;
  try {
    response = await fetch(endpoint, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new OperationFailed(`cannot reach the discovery service ${endpoint}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
  }
  const text = (await response.text()).trim();
  if (!response.ok || !/^https?:\/\/\S+$/.test(text)) throw new OperationFailed(`${endpoint} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  return text;
}
