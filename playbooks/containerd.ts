/**
 * containerd on every node (step 6 of the guide, its first half, for Kubernetes 1.24 and later).
 * `npx tsx playbooks/containerd.ts -i INVENTORY`; site.ts runs it through container-runtime.ts.
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { containerdRole } from "../roles/containerd/index.ts";

export const containerdPlaybook = definePlaybook({
  name: "containerd",
  plays: [{ name: "containerd on the nodes", hosts: "kube_node", become: true, roles: [containerdRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(containerdPlaybook);
