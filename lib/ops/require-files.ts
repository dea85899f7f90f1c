/**
 * requireFiles: fails with a hint when files a service needs (certificates, kubeconfigs) are
 * missing or empty on the host, so a unit never starts only to die on a missing file. In check
 * mode a missing file is reported as skipped: an earlier play of a real run would have placed it.
 */
import { shellQuote } from "../connection/quote.js";
import { OperationFailed, type Operation, type Plan } from "./operation.js";

export function requireFiles(paths: readonly string[], hint: string): Operation {
  return {
    title: `require ${paths.join(" ")}`,
    async plan(target): Promise<Plan> {
      const result = await target.connection.run(`for f in ${paths.map(shellQuote).join(" ")}; do [ -s "$f" ] || echo "$f"; done`);
      const missing = result.stdout.split("\n").filter(Boolean);
      if (missing.length === 0) return { changes: [] };
      if (target.check) return { changes: [], skipped: `${missing.join(", ")} not there yet` };
      throw new OperationFailed(`missing or empty: ${missing.join(", ")}; ${hint}`);
    },
  };
}
