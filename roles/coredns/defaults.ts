/** Variables of the coredns role: the cluster DNS add-on (kubespray's names where it has them). */
import { defineSchema, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { clusterDnsVars } from "../kube-node/defaults.ts";
import { pkiDefaults } from "../pki/defaults.ts";

export const DNS_MODES = ["coredns", "none"] as const;

export const corednsDefaults = defineSchema({
  kube_version: bundleVars.kube_version,
  pki_dir: pkiDefaults.pki_dir,
  kube_apiserver_port: pkiDefaults.kube_apiserver_port,
  // kubelet writes these into every pod's resolv.conf: the Service takes the address, the server the domain.
  ...clusterDnsVars,
  dns_mode: v.oneOf(DNS_MODES, "coredns", "The cluster DNS: coredns (a Deployment and the kube-dns Service at kube_cluster_dns), or none (this stage removes what it made, and pods get no DNS server unless you run one at kube_cluster_dns)."),
  coredns_replicas: v.integer(2, "CoreDNS pods (spread over the nodes where it can); two keep DNS answering while one moves.", { min: 1, max: 20 }),
  upstream_dns_servers: v.list(v.ip("", "an IP address"), [], "Where names outside the cluster are asked; empty: the servers in the nodes' resolv.conf (kubelet's, the real one on systemd-resolved hosts)."),
  dns_forward_external: v.boolean(true, "Ask upstream servers for names outside the cluster; false for a cluster with no name server beyond itself (CoreDNS does not start with a forward to a resolv.conf that lists none), where such names get no answer."),
  coredns_cache_seconds: v.integer(30, "How long CoreDNS keeps answers (its cache plugin's TTL cap).", { min: 0, max: 3600 }),
  coredns_wait_seconds: v.integer(300, "Seconds to wait for the CoreDNS Deployment to roll out.", { min: 0 }),
});
