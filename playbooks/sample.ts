/** The sample playbook: the `sample` role on every host. `npx tsx playbooks/sample.ts -i INVENTORY` */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import sample from "../roles/sample/index.ts";

export const samplePlaybook = definePlaybook({
  name: "sample",
  plays: [{ name: "sample", hosts: "all", become: true, roles: [sample] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(samplePlaybook);
