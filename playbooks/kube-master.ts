/**
 * Step 4 of the guide: kube-apiserver, kube-controller-manager and kube-scheduler on the masters
 * (certificates and kubeconfigs from playbooks/pki.ts, etcd from playbooks/etcd.ts).
 * `npx tsx playbooks/kube-master.ts -i INVENTORY [--check --diff]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { kubeMasterRole } from "../roles/kube-master/index.ts";

export const kubeMasterPlaybook = definePlaybook({
  name: "kube-master",
  plays: [{ name: "kubernetes masters", hosts: "kube_master", become: true, roles: [kubeMasterRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(kubeMasterPlaybook);
