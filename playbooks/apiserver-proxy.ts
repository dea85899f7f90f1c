/**
 * The node-local apiserver proxy (after kube-master, before the nodes' kubelets dial it): haproxy on
 * 127.0.0.1 of every node (masters that are nodes too), balancing over every master's apiserver.
 * It runs only where nodes need it (several masters and no pki_apiserver_url, or kube_apiserver_local_proxy: on);
 * otherwise every task skips.
 * `npx tsx playbooks/apiserver-proxy.ts -i INVENTORY [--check --diff]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { apiserverProxyRole } from "../roles/apiserver-proxy/index.ts";

export const apiserverProxyPlaybook = definePlaybook({
  name: "apiserver-proxy",
  plays: [{ name: "apiserver proxy on every node", hosts: "kube_node", become: true, roles: [apiserverProxyRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(apiserverProxyPlaybook);
