/**
 * Handlers notified on a host but not run yet, remembered on the control machine. A run that stops
 * after a change (a failed host, an unreachable one, Ctrl-C) would otherwise lose the restart: the
 * next run finds nothing to change and the service keeps its old configuration for good. So each
 * notification is written the moment it happens (synchronously: an interrupted run keeps it) and
 * removed once the handler has run; the next run that plays the handler's owner on that host runs
 * it. One 0600 file per host under `.easy-kube/pending-handlers/` beside the inventory (git-ignored,
 * as the rest of that folder), so runs with different --limit never overwrite each other's hosts.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";

export interface PendingHandler {
  /** Who defines the handler: `role <name>`, or `play <name>` for a play's own handlers. */
  readonly owner: string;
  readonly handler: string;
}

interface HostFile {
  readonly host: string;
  readonly pending: readonly PendingHandler[];
}

export class PendingHandlers {
  private readonly byHost = new Map<string, PendingHandler[]>();

  /**
   * Reads what earlier runs left in `folder` (`<inventory>/.easy-kube/pending-handlers`); a
   * damaged file is an error naming it, raised before any host is touched. With `remember` false
   * (check mode) nothing is ever written or removed.
   */
  constructor(
    private readonly folder: string,
    private readonly remember: boolean,
  ) {
    if (!existsSync(folder)) return;
    for (const name of readdirSync(folder).filter((f) => f.endsWith(".json"))) {
      const file = join(folder, name);
      let content: HostFile;
      try {
        content = JSON.parse(readFileSync(file, "utf8")) as HostFile;
        if (typeof content.host !== "string" || !Array.isArray(content.pending)) throw new Error("expected {host, pending: [{owner, handler}]}");
      } catch (error) {
        throw new InputError(file, `cannot read the handlers pending from an earlier run (${(error as Error).message}); delete the file to forget them (then restart the services it names yourself)`);
      }
      this.byHost.set(content.host, content.pending.map(({ owner, handler }) => ({ owner, handler })));
    }
  }

  /** What is pending for the host, from earlier runs and this one. */
  of(host: string): readonly PendingHandler[] {
    return this.byHost.get(host) ?? [];
  }

  add(host: string, entry: PendingHandler): void {
    if (!this.remember) return;
    const list = this.byHost.get(host) ?? [];
    if (list.some((e) => same(e, entry))) return;
    this.byHost.set(host, [...list, entry]);
    this.save(host);
  }

  remove(host: string, entry: PendingHandler): void {
    if (!this.remember) return;
    const list = this.byHost.get(host) ?? [];
    if (!list.some((e) => same(e, entry))) return;
    this.byHost.set(host, list.filter((e) => !same(e, entry)));
    this.save(host);
  }

  private save(host: string): void {
    const file = join(this.folder, `${encodeURIComponent(host)}.json`);
    const pending = this.byHost.get(host) ?? [];
    if (pending.length === 0) {
      rmSync(file, { force: true });
      return;
    }
    ensureStateFolder(this.folder);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ host, pending } satisfies HostFile, null, 2) + "\n", { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  }
}

/** The folder for pending handlers of an inventory whose folder is `inventoryDir` (a host list: the current folder). */
export function pendingHandlersFolder(inventoryDir: string | undefined): string {
  return join(inventoryDir ?? ".", ".easy-kube", "pending-handlers");
}

function same(a: PendingHandler, b: PendingHandler): boolean {
  return a.owner === b.owner && a.handler === b.handler;
}

/** `.easy-kube/` is private (0700) and ignored by git, as the etcd discovery URL kept there needs. */
function ensureStateFolder(folder: string): void {
  const stateFolder = join(folder, "..");
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const ignore = join(stateFolder, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "# easy-kube's state for this inventory: never commit it.\n*\n");
}
