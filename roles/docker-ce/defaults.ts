/** Variables of the docker-ce role: the engine, its storage, registries and cgroup driver. */
import { defineSchema, restartThrottleVar, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";

export const dockerDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_dir: bundleVars.bundle_dir,
  bundle_arch: bundleVars.bundle_arch,
  bin_dir: bundleVars.bin_dir,
  docker_version: { ...bundleVars.docker_version, doc: "Docker version (the guide's: 17.12.0-ce); with install_method packages, set it to the version the packages install (it decides the storage options)." },
  docker_packages: v.list(v.string("", "a package"), ["docker-ce"], "Packages for install_method packages (pin a version with the manager's syntax, e.g. docker-ce-17.12.0.ce)."),
  docker_bin_dir: v.string("", "Where dockerd is; empty: bin_dir for the bundle, /usr/sbin for Debian's docker.io package, /usr/bin for docker-ce packages."),
  docker_storage_driver: v.oneOf(["overlay2", "devicemapper"], "overlay2", "The guide's overlay2; devicemapper direct-lvm is the documented alternative (needs a spare block device)."),
  docker_storage_opts: v.list(v.string("", "a storage option"), [], "storage-opts; empty: the guide's for the driver (overlay2.override_kernel_check=true for docker_version before 19.03 - later Docker ignores it and 24.0 refuses it; the dm.* options below for devicemapper)."),
  docker_dm_directlvm_device: v.string("", "dm.directlvm_device: the block device for devicemapper (e.g. /dev/vda5)."),
  docker_dm_thinp_percent: v.integer(95, "dm.thinp_percent", { min: 1, max: 100 }),
  docker_dm_thinp_metapercent: v.integer(1, "dm.thinp_metapercent", { min: 1, max: 100 }),
  docker_dm_thinp_autoextend_threshold: v.integer(80, "dm.thinp_autoextend_threshold", { min: 1, max: 100 }),
  docker_dm_thinp_autoextend_percent: v.integer(20, "dm.thinp_autoextend_percent", { min: 1, max: 100 }),
  docker_dm_directlvm_device_force: v.boolean(true, "dm.directlvm_device_force: format the device even if it holds a filesystem."),
  docker_data_root: v.path("/var/lib/docker", "data-root: images, containers and volumes."),
  docker_registry_mirrors: v.list(v.string("", "a URL"), [], "registry-mirrors, e.g. an internal pull-through cache."),
  docker_insecure_registries: v.list(v.string("", "host:port"), [], "insecure-registries: registries reached without TLS verification (a private registry in the guide's steps 11-12)."),
  docker_log_max_size: v.string("100m", "Container log rotation: size of one json-file log."),
  docker_log_max_file: v.integer(3, "Container log rotation: files kept.", { min: 1 }),
  docker_live_restore: v.boolean(true, "live-restore: containers keep running while dockerd restarts (an upgrade or a daemon.json change does not stop the node's pods)."),
  restart_throttle: restartThrottleVar,
  docker_forward_accept: v.boolean(true, "Add `iptables -I FORWARD -s 0.0.0.0/0 -j ACCEPT` after Docker starts (Docker >= 1.13 sets the FORWARD policy to DROP, which breaks traffic between pods on different nodes)."),
  cgroup_driver: v.oneOf(["cgroupfs", "systemd"], "cgroupfs", "The container runtime's cgroup driver (Docker's, or containerd's runc SystemdCgroup); kubelet reads the same variable, and the two must match (checked on the host)."),
});
