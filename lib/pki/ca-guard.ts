/**
 * Refuses to distribute certificates of another CA over a host's current ones. When the PKI
 * folder is missing on the control machine (a fresh checkout, a second operator), the PKI run
 * mints a new CA; copying its files would replace every host's certificates and break a working
 * cluster. So before anything is copied, each CA file the host already has must be the folder's,
 * unless that CA is being replaced on purpose (pki_renew).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { shellQuote } from "../connection/quote.js";
import { SHA256_FUNCTION } from "../facts/remote-sha256.js";
import { OperationFailed, type Operation, type Plan } from "../ops/operation.js";
import type { Authority } from "./cluster-pki.js";
import { readPkiFile } from "./pki-folder.js";

export interface CaGuardArgs {
  /** The PKI folder on the control machine. */
  readonly dir: string;
  /** The CA certificates this host receives: authority and where its file lives on the host. */
  readonly authorities: readonly { readonly authority: Authority; readonly dest: string }[];
  /** Authorities being replaced in this run (pki_renew): a different file on the host is expected. */
  readonly renewing: readonly string[];
}

const HOW_TO: Record<Authority, string> = {
  ca:
    "restore the PKI folder from where the cluster was set up (a backup, the first operator's machine; " +
    "ca.pem and ca-key.pem are also on every kube_master in the SSL folder) and re-run; " +
    "or, to replace the cluster CA on purpose and reissue every certificate it signs, re-run with -e pki_renew=ca",
  "etcd-ca":
    "restore the PKI folder from where the cluster was set up (etcd-ca-key.pem is kept only there) and re-run; " +
    "or, to replace the etcd CA on purpose, re-run with -e pki_renew=etcd-ca and then restart every etcd member at once " +
    "(members of the old and the new CA cannot talk to each other)",
  "front-proxy-ca":
    "restore the PKI folder from where the cluster was set up (front-proxy-ca-key.pem is kept only there) and re-run; " +
    "or, to replace the front proxy CA on purpose, re-run with -e pki_renew=front-proxy-ca (it reissues front-proxy-client; aggregated APIs read the new CA from the cluster)",
};

export function sameCertificateAuthority(args: CaGuardArgs): Operation {
  const checked = args.authorities.filter((a) => !args.renewing.includes(a.authority));
  return {
    title: `the host's CA is ${args.authorities.map((a) => `${a.authority}.pem`).join(", ")} of ${args.dir}`,
    async plan(target): Promise<Plan> {
      if (checked.length === 0) return { changes: [] };
      // One round trip: the sha256 of each CA file the host has (absent files print nothing).
      const probe = await target.connection.run([SHA256_FUNCTION, ...checked.map((a) => `[ -f ${shellQuote(a.dest)} ] && ek_sha256 < ${shellQuote(a.dest)} | sed 's|^|${a.authority} |'`)].join("; ") + "; true");
      const remote = new Map(probe.stdout.split("\n").filter(Boolean).map((line) => line.split(/\s+/) as [string, string]));
      const problems: string[] = [];
      for (const { authority, dest } of checked) {
        const onHost = remote.get(authority);
        if (!onHost) continue; // A host without a CA yet: nothing to break.
        const local = readPkiFile(args.dir, `${authority}.pem`);
        const localFile = join(args.dir, `${authority}.pem`);
        if (local !== undefined && createHash("sha256").update(local).digest("hex") === onHost) continue;
        const found = local === undefined ? `${localFile} does not exist (a real run would mint a new CA)` : `it differs from ${localFile}`;
        problems.push(`${dest} on this host is the CA the cluster runs with, and ${found}. Not replacing it: every certificate on the cluster's hosts would stop working. To fix: ${HOW_TO[authority]}.`);
      }
      if (problems.length > 0) throw new OperationFailed(problems.join("\n"));
      return { changes: [] };
    },
  };
}
