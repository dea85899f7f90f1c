/** Variables of the prepare role: what every host gets before any cluster component. */
import { defineSchema, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { kubeNodeDefaults } from "../kube-node/defaults.ts";

export const prepareDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_arch: bundleVars.bundle_arch,
  kube_version: bundleVars.kube_version,
  // ipvs mode needs the ip_vs modules and ipset on the nodes: prepared here, or refused where the kernel lacks them.
  kube_proxy_mode: kubeNodeDefaults.kube_proxy_mode,
  prepare_check_os: v.boolean(true, "Stop on hosts whose OS, version, kernel, init system or architecture the guide's stack does not support."),
  prepare_set_hostname: v.boolean(true, "Set each host's name to its inventory name (hosts named by IP address are left alone)."),
  prepare_disable_firewalld: v.boolean(true, "Stop and disable firewalld (the guide: Kubernetes and the network plugin manage iptables)."),
  prepare_selinux: v.oneOf(["disabled", "permissive", "enforcing"], "disabled", "SELinux mode: disabled (the guide) makes the host permissive now and disabled from the next boot."),
  prepare_disable_swap: v.boolean(true, "Turn swap off now and in /etc/fstab (kubelet refuses to run with swap)."),
  prepare_kernel_modules: v.list(v.string("", "a module name"), ["br_netfilter", "overlay"], "Kernel modules loaded now and at boot; built-in ones are accepted as they are."),
  prepare_sysctl: v.map(
    {
      "net.ipv4.ip_forward": 1,
      "net.bridge.bridge-nf-call-iptables": 1,
      "net.bridge.bridge-nf-call-ip6tables": 1,
      "vm.swappiness": 0,
    },
    "Kernel parameters set now and persisted in /etc/sysctl.d/90-easy-kube.conf. A host that forbids one (a container) fails naming it: override the list for that host.",
  ),
  prepare_docker_repo: v.boolean(true, "With install_method packages: add Docker CE's package repository (yum .repo or apt source with its key)."),
  docker_repo_baseurl: v.string("", "Docker CE repository; empty: download.docker.com for the host's distribution. Point it at an internal mirror for offline sites."),
  docker_repo_gpgkey: v.string("", "The repository's signing key URL; empty: download.docker.com's key for the distribution."),
});
