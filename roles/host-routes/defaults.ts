/** Variables of the host-routes role: the pod network of nodes on one L2 segment. */
import { defineSchema, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { cniPaths } from "../cni-paths.ts";
import { kubeMasterDefaults } from "../kube-master/defaults.ts";
import { pkiDefaults } from "../pki/defaults.ts";

export const hostRoutesDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_dir: bundleVars.bundle_dir,
  bundle_arch: bundleVars.bundle_arch,
  kube_version: bundleVars.kube_version,
  cni_version: bundleVars.cni_version,
  ...cniPaths,
  // The controller-manager allocates the node pod CIDRs from these: one definition for both sides.
  kube_network_plugin: kubeMasterDefaults.kube_network_plugin,
  kube_cluster_cidr: kubeMasterDefaults.kube_cluster_cidr,
  pki_dir: pkiDefaults.pki_dir,
  pki_apiserver_url: pkiDefaults.pki_apiserver_url,
  kube_apiserver_local_proxy: pkiDefaults.kube_apiserver_local_proxy,
  kube_apiserver_local_proxy_port: pkiDefaults.kube_apiserver_local_proxy_port,
  kube_apiserver_port: pkiDefaults.kube_apiserver_port,
  host_routes_bridge: v.string("cni0", "The Linux bridge the pods of a node are attached to; it holds the first address of the node's pod CIDR."),
  host_routes_masquerade: v.boolean(true, "Masquerade pods' traffic to addresses outside kube_cluster_cidr (other hosts, the internet) behind the node's address; traffic between pods keeps the pods' addresses."),
  host_routes_node_timeout: v.integer(120, "Seconds to wait for every node of the inventory to be registered with a pod CIDR (kubelet has just started on a fresh node).", { min: 0 }),
});
