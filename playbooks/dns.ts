/**
 * The cluster DNS stage (after the pod network: its pods need one): CoreDNS through the first
 * master's API, or nothing of it left with dns_mode none.
 * `npx tsx playbooks/dns.ts -i INVENTORY [--check --diff] [-e dns_mode=none]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { corednsRole } from "../roles/coredns/index.ts";

export const dnsPlaybook = definePlaybook({
  name: "dns",
  plays: [{ name: "cluster DNS", hosts: "kube_master", become: true, gatherFacts: false, roles: [corednsRole] }],
});

if (isMainModule(import.meta)) await runPlaybookCli(dnsPlaybook);
