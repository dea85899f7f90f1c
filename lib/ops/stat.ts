/**
 * stat: reads what is at a path for a later task's `register` (Ansible's stat module, without
 * checksums): `data.type` (a link is "link") and `data.exists`, which follows links as Ansible's
 * does by default: a dangling link does not exist. It changes nothing, and check mode reads the same.
 */
import { shellQuote } from "../connection/quote.js";
import { OperationFailed, type Operation } from "./operation.js";

export type PathType = "absent" | "file" | "directory" | "link" | "other";

export interface StatData {
  readonly exists: boolean;
  readonly type: PathType;
}

export function stat(path: string): Operation {
  const p = shellQuote(path);
  return {
    title: `stat ${path}`,
    async plan(target) {
      const result = await target.connection.run(`if [ -L ${p} ]; then echo link; elif [ -d ${p} ]; then echo directory; elif [ -f ${p} ]; then echo file; elif [ -e ${p} ]; then echo other; else echo absent; fi; if [ -e ${p} ]; then echo yes; else echo no; fi`);
      const [type, exists] = result.stdout.trim().split("\n") as [PathType, string];
      if (result.code !== 0 || !["absent", "file", "directory", "link", "other"].includes(type)) throw new OperationFailed(`cannot read ${path}: ${result.stderr.trim() || `exit code ${result.code}`}`);
      const data: StatData = { exists: exists === "yes", type };
      return { changes: [], data: { ...data } };
    },
  };
}

/** What a registered stat found; undefined when the task did not run (skipped, or another host's). */
export function registeredStat(result: { readonly data: Record<string, unknown> } | undefined): StatData | undefined {
  const type = result?.data["type"];
  return typeof type === "string" ? { exists: result?.data["exists"] === true, type: type as PathType } : undefined;
}
