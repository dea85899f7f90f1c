/**
 * Step 3 of the guide: the etcd cluster over TLS (certificates from playbooks/pki.ts).
 * `npx tsx playbooks/etcd.ts -i INVENTORY [-e etcd_bootstrap=discovery]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { etcdRole } from "../roles/etcd/index.ts";

export const etcdPlaybook = definePlaybook({
  name: "etcd",
  plays: [{ name: "etcd cluster", hosts: "etcd", become: true, roles: [etcdRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(etcdPlaybook);
