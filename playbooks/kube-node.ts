/**
 * Step 6 of the guide, its second half (the bootstrap permissions come with kube-master): kubelet (TLS
 * bootstrap, identity-checked certificate approval, labels and taints) and kube-proxy on every
 * node (certificates and kubeconfigs from playbooks/pki.ts, Docker from playbooks/docker.ts).
 * `npx tsx playbooks/kube-node.ts -i INVENTORY [--check --diff]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { kubeNodeRole } from "../roles/kube-node/index.ts";

export const kubeNodePlaybook = definePlaybook({
  name: "kube-node",
  plays: [
    { name: "kubernetes nodes", hosts: "kube_node", become: true, roles: [kubeNodeRole] },
  ],
});

if (isMainModule(import.meta)) await runPlaybookCli(kubeNodePlaybook);
