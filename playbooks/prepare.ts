/**
 * Step 1 of the guide on every cluster host: supported OS, firewalld, SELinux and swap off, host
 * name, kernel modules and parameters. `npx tsx playbooks/prepare.ts -i INVENTORY`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { prepareRole } from "../roles/prepare/index.ts";

export const preparePlaybook = definePlaybook({
  name: "prepare",
  plays: [{ name: "prepare the hosts", hosts: "etcd:kube_master:kube_node", become: true, roles: [prepareRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(preparePlaybook);
