/**
 * The guide's certificates: generated on the control machine (once; reused on later runs; only
 * what no longer covers the inventory is reissued), then each host gets the files its groups use.
 * `npx tsx playbooks/pki.ts -i INVENTORY [-e pki_renew=admin]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { pkiDistributeRole, pkiRole } from "../roles/pki/index.ts";

export const pkiPlaybook = definePlaybook({
  name: "pki",
  plays: [
    // Runs on the control machine only: gatherFacts off, and the PKI operations never use the host.
    { name: "generate the PKI", hosts: "etcd:kube_master:kube_node", gatherFacts: false, roles: [pkiRole] },
    { name: "distribute certificates and kubeconfigs", hosts: "etcd:kube_master:kube_node", become: true, gatherFacts: false, roles: [pkiDistributeRole] },
  ],
});

if (isMainModule(import.meta)) await runPlaybookCli(pkiPlaybook);
