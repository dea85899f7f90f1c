/**
 * The whole cluster, stage by stage in the guide's order: prepare the hosts (step 1), the PKI
 * (steps 2 and 5's kubeconfigs), etcd (step 3), the masters (step 4) and, with several masters, the
 * apiserver proxy on every node, the container runtime (Docker or containerd), kubelet and
 * kube-proxy on the nodes (step 6), the pod network, then the cluster DNS; the other add-on stages join here as their roles land. Each play's role name is a tag.
 * `npx tsx playbooks/site.ts -i INVENTORY [--tags prepare,etcd] [--limit HOSTS] [--check --diff]`
 */
import { definePlaybook, isMainModule, runPlaybookCli } from "easy-kube";
import { apiserverProxyPlaybook } from "./apiserver-proxy.ts";
import { containerRuntimePlaybook } from "./container-runtime.ts";
import { dnsPlaybook } from "./dns.ts";
import { etcdPlaybook } from "./etcd.ts";
import { kubeMasterPlaybook } from "./kube-master.ts";
import { kubeNodePlaybook } from "./kube-node.ts";
import { networkPlaybook } from "./network.ts";
import { pkiPlaybook } from "./pki.ts";
import { preparePlaybook } from "./prepare.ts";

export const sitePlaybook = definePlaybook({
  name: "site",
  plays: [...preparePlaybook.plays, ...pkiPlaybook.plays, ...etcdPlaybook.plays, ...kubeMasterPlaybook.plays, ...apiserverProxyPlaybook.plays, ...containerRuntimePlaybook.plays, ...kubeNodePlaybook.plays, ...networkPlaybook.plays, ...dnsPlaybook.plays],
});

if (isMainModule(import.meta)) await runPlaybookCli(sitePlaybook);
