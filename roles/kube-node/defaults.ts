/** Variables of the kube-node role: kubelet with TLS bootstrap, kube-proxy, node labels and taints. */
import { defineSchema, restartThrottleVar, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { cniPaths } from "../cni-paths.ts";
import { containerdDefaults } from "../containerd/defaults.ts";
import { dockerDefaults } from "../docker-ce/defaults.ts";
import { kubeMasterDefaults } from "../kube-master/defaults.ts";
import { pkiDefaults } from "../pki/defaults.ts";

/**
 * The cluster DNS settings kubelet writes into every pod's resolv.conf; the DNS add-on serves them,
 * so it reads these same two definitions.
 */
export const clusterDnsVars = {
  kube_cluster_dns: v.ip("10.254.0.2", "The cluster DNS service's ClusterIP (inside kube_service_cidr), written into pods' resolv.conf; the DNS add-on's Service takes it."),
  kube_cluster_domain: pkiDefaults.kube_cluster_domain,
};

export const KUBE_PROXY_MODES = ["iptables", "ipvs"] as const;

export const kubeNodeDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_dir: bundleVars.bundle_dir,
  bundle_arch: bundleVars.bundle_arch,
  bin_dir: bundleVars.bin_dir,
  kube_version: bundleVars.kube_version,
  pki_dir: pkiDefaults.pki_dir,
  pki_apiserver_url: pkiDefaults.pki_apiserver_url,
  kube_apiserver_local_proxy: pkiDefaults.kube_apiserver_local_proxy,
  kube_apiserver_local_proxy_port: pkiDefaults.kube_apiserver_local_proxy_port,
  pki_remote_ssl_dir: pkiDefaults.pki_remote_ssl_dir,
  kube_config_dir: pkiDefaults.kube_config_dir,
  kube_apiserver_port: pkiDefaults.kube_apiserver_port,
  kube_service_cidr: pkiDefaults.kube_service_cidr,
  kube_cluster_cidr: kubeMasterDefaults.kube_cluster_cidr,
  kube_network_plugin: kubeMasterDefaults.kube_network_plugin,
  // Where the network role puts the CNI config and plugins: dockershim's kubelet is told, containerd reads them from its own config.
  ...cniPaths,
  kube_bootstrap_token_auth: kubeMasterDefaults.kube_bootstrap_token_auth,
  kube_tls_min_version: kubeMasterDefaults.kube_tls_min_version,
  kube_tls_cipher_suites: kubeMasterDefaults.kube_tls_cipher_suites,
  ...clusterDnsVars,
  // One variable for the runtime and kubelet: they must use the same driver (checked on the host too).
  cgroup_driver: dockerDefaults.cgroup_driver,
  container_runtime: containerdDefaults.container_runtime,
  // kubelet's containerRuntimeEndpoint is containerd's socket, in containerd's state folder.
  containerd_state: containerdDefaults.containerd_state,
  restart_throttle: restartThrottleVar,
  kube_node_address: v.string("", "The address kubelet serves on and reports for the node; empty: ansible_host, else the inventory name."),
  kubelet_root_dir: v.path("/var/lib/kubelet", "kubelet's state folder (pods, volumes, plugins)."),
  kubelet_cert_dir: v.path("/var/lib/kubelet/pki", "Where kubelet keeps the client (and serving) certificate it got through TLS bootstrap; the role never writes there."),
  kubelet_max_pods: v.integer(110, "Pods this node may run.", { min: 1 }),
  kubelet_eviction_hard: v.map({ "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%", "imagefs.available": "15%" }, "Hard eviction thresholds: signal to threshold (kubelet's defaults)."),
  kubelet_image_gc_high_threshold: v.integer(85, "Disk usage (percent) above which unused images are always removed.", { min: 1, max: 100 }),
  kubelet_image_gc_low_threshold: v.integer(80, "Disk usage (percent) image garbage collection frees down to.", { min: 0, max: 100 }),
  kubelet_fail_swap_on: v.boolean(true, "kubelet refuses to start while swap is on (the prepare role turns swap off; --experimental-fail-swap-on before 1.8)."),
  kubelet_serialize_image_pulls: v.boolean(false, "Pull one image at a time (the guide: false)."),
  kubelet_rotate_certificates: v.boolean(true, "Renew the client certificate before it expires (from 1.8; the controller-manager approves a node's renewal because the node already proves who it is)."),
  kubelet_serving_certificate: kubeMasterDefaults.kubelet_serving_certificate,
  kubelet_system_reserved: v.map({}, "Resources kept for the OS (kubelet's systemReserved, e.g. {cpu: 100m, memory: 256Mi}); empty: none, as upstream."),
  kubelet_kube_reserved: v.map({}, "Resources kept for kubelet and the container runtime (kubeReserved); empty: none, as upstream."),
  kubelet_protect_kernel_defaults: v.boolean(false, "kubelet refuses to start when the kernel parameters it needs (vm.overcommit_memory=1, kernel.panic=10, kernel.panic_on_oops=1, vm.panic_on_oom=0) differ, instead of setting them (protectKernelDefaults, from 1.10; set them in prepare_sysctl first)."),
  kubelet_extra_flags: v.map({}, "More kubelet flags, name (without --) to value. A flag the role sets, or one the version does not have, is an error."),
  kube_node_labels: v.map({}, "Labels for this node (name to value), set through the API after it registered."),
  kube_node_taints: v.list(v.string("", "key=value:Effect or key:Effect"), [], "Taints for this node, added through the API (taints added by others are kept)."),
  kube_master_taint: v.boolean(true, "A host of kube_master that also runs kubelet gets the control plane's NoSchedule taint (node-role.kubernetes.io/control-plane from 1.24, node-role.kubernetes.io/master before), so ordinary pods stay off the masters; masters get the matching role label either way."),
  kube_proxy_mode: v.oneOf(KUBE_PROXY_MODES, "iptables", "kube-proxy's mode: iptables (the guide's), or ipvs (from 1.11, the kernel needs the ip_vs modules)."),
  kube_proxy_conntrack_max_per_core: v.integer(32768, "--conntrack-max-per-core; 0 leaves the kernel's conntrack limit as it is (needed where it cannot be written, as in containers).", { min: 0 }),
  kube_proxy_extra_flags: v.map({}, "More kube-proxy flags, as kubelet_extra_flags."),
  kube_node_join_timeout: v.integer(180, "Seconds to wait for a kubelet's certificate request, its certificate and its Node.", { min: 10 }),
});
