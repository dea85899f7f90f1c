/** Variables of the containerd role: the runtime kubelet talks to from Kubernetes 1.24 (container_runtime). */
import { containerRuntimeVar, defineSchema, restartThrottleVar, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { cniPaths } from "../cni-paths.ts";
import { dockerDefaults } from "../docker-ce/defaults.ts";

export const containerdDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_dir: bundleVars.bundle_dir,
  bundle_arch: bundleVars.bundle_arch,
  bin_dir: bundleVars.bin_dir,
  kube_version: bundleVars.kube_version,
  container_runtime: containerRuntimeVar,
  containerd_version: bundleVars.containerd_version,
  ...cniPaths,
  // One variable for the runtime and kubelet: they must place pods in the same cgroup hierarchy.
  cgroup_driver: dockerDefaults.cgroup_driver,
  restart_throttle: restartThrottleVar,
  containerd_config_dir: v.path("/etc/containerd", "containerd's configuration folder (config.toml, certs.d/ for registry hosts)."),
  containerd_root: v.path("/var/lib/containerd", "containerd's persistent state: images, snapshots (overlayfs), content."),
  containerd_state: v.path("/run/containerd", "containerd's runtime state and its socket (containerd.sock, kubelet's containerRuntimeEndpoint)."),
  containerd_snapshotter: v.oneOf(["overlayfs", "native"], "overlayfs", "The CRI's snapshotter: overlayfs (the default, as Docker's overlay2); native copies layers (for a root that cannot hold overlayfs)."),
  containerd_registry_mirrors: v.mapOfLists({}, "Mirrors per registry, tried in order before the registry itself: `{docker.io: [https://mirror.example.com]}` (written to certs.d/<registry>/hosts.toml)."),
  containerd_insecure_registries: v.list(v.string("", "host:port"), [], "Registries reached over plain HTTP or without TLS verification (a private registry of the guide's steps 11-12)."),
  containerd_max_container_log_line_size: v.integer(16384, "Longest container log line kept whole (the CRI's default); longer ones are split.", { min: -1 }),
});
