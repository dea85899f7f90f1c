/**
 * The whole cluster, stage by stage in the guide's order. Today it runs the stages that exist:
 * the PKI (step 2 and 5's kubeconfigs) and the sample role; the guide's prepare, etcd, master, node
 * and network stages are added here as their roles land.
 * `npx tsx playbooks/site.ts -i INVENTORY [--tags STAGE] [--limit HOSTS]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { pkiPlaybook } from "./pki.ts";
import { samplePlaybook } from "./sample.ts";

export const sitePlaybook = definePlaybook({
  name: "site",
  plays: [...pkiPlaybook.plays, ...samplePlaybook.plays],
});

if (isMainModule(import.meta)) await runPlaybookCli(sitePlaybook);
