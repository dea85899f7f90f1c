/**
 * Docker on every node (step 6 of the guide, its first half). `npx tsx playbooks/docker.ts -i INVENTORY`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { dockerRole } from "../roles/docker-ce/index.ts";

export const dockerPlaybook = definePlaybook({
  name: "docker",
  plays: [{ name: "docker on the nodes", hosts: "kube_node", become: true, roles: [dockerRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(dockerPlaybook);
