/** Variables of the etcd role: the guide's etcd cluster over TLS, bootstrapped statically or by discovery. */
import { defineSchema, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";

export const etcdDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_dir: bundleVars.bundle_dir,
  bundle_arch: bundleVars.bundle_arch,
  bin_dir: bundleVars.bin_dir,
  etcd_version: bundleVars.etcd_version,
  etcd_name: v.string("", "This member's name; empty: its inventory name."),
  etcd_address: v.string("", "The address peers and clients use for this member; empty: ansible_host, else the inventory name. The PKI puts it in the etcd certificate's names."),
  etcd_client_port: v.port(2379, "Client port (HTTPS)."),
  etcd_peer_port: v.port(2380, "Peer port (HTTPS)."),
  etcd_data_dir: v.path("/var/lib/etcd", "Data folder (0700). Wiped only for a new member whose bootstrap failed."),
  etcd_ssl_dir: v.path("/etc/kubernetes/ssl", "Where the etcd CA's files are: etcd-ca.pem, etcd.pem, etcd-key.pem and the client's etcd-client.pem, etcd-client-key.pem (the PKI role puts them there)."),
  etcd_cluster_token: v.string("etcd-cluster-0", "--initial-cluster-token: distinct per cluster, so members of two clusters never mix."),
  etcd_bootstrap: v.oneOf(["static", "discovery"], "static", "How a new cluster finds its members: a static --initial-cluster list from the inventory, or the guide's discovery URL."),
  etcd_discovery_service: v.string("https://discovery.etcd.io", "Discovery service easy-kube mints a URL from (etcd_bootstrap: discovery)."),
  etcd_discovery_url: v.secret(v.string("", "Use this discovery URL instead of minting one (a secret: masked in all output).")),
  etcd_discovery_renew: v.boolean(false, "Mint a new discovery URL (a URL serves one bootstrap: after a failed one, re-run with -e etcd_discovery_renew=true)."),
  etcd_discovery_state: v.string("", "File on the control machine remembering the minted URL; empty: .easy-kube/etcd-discovery.json beside the inventory."),
  etcd_extra_flags: v.map({}, "More etcd flags, name (without --) to value, e.g. {heartbeat-interval: 250, election-timeout: 2500} (the election timeout must be at least 5 times the heartbeat: checked before any host is touched). A change restarts members one at a time."),
  etcd_health_timeout: v.integer(120, "Seconds to wait for a member to report healthy after a start or restart.", { min: 1 }),
});
