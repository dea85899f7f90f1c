/** /etc/docker/daemon.json from the role's variables: the guide's storage, plus registries, logs and live-restore. */
import { versionAtLeast } from "easy-kube/bundle";
import type { VarsOf } from "easy-kube";
import type { dockerDefaults } from "./defaults.ts";

type DockerVars = VarsOf<typeof dockerDefaults>;

export function storageOpts(vars: DockerVars): string[] {
  if (vars.docker_storage_opts.length > 0) return vars.docker_storage_opts;
  if (vars.docker_storage_driver === "devicemapper") {
    return [
      `dm.directlvm_device=${vars.docker_dm_directlvm_device}`,
      `dm.thinp_percent=${vars.docker_dm_thinp_percent}`,
      `dm.thinp_metapercent=${vars.docker_dm_thinp_metapercent}`,
      `dm.thinp_autoextend_threshold=${vars.docker_dm_thinp_autoextend_threshold}`,
      `dm.thinp_autoextend_percent=${vars.docker_dm_thinp_autoextend_percent}`,
      `dm.directlvm_device_force=${vars.docker_dm_directlvm_device_force}`,
    ];
  }
  // The guide's option for CentOS 7's 3.10 kernel; unused since Docker 19.03.7, refused from 24.0.
  return versionAtLeast(vars.docker_version, "19.3.0") ? [] : ["overlay2.override_kernel_check=true"];
}

export function daemonConfig(vars: DockerVars): string {
  const config = {
    "storage-driver": vars.docker_storage_driver,
    "storage-opts": storageOpts(vars),
    "exec-opts": [`native.cgroupdriver=${vars.cgroup_driver}`],
    "data-root": vars.docker_data_root,
    "registry-mirrors": vars.docker_registry_mirrors,
    "insecure-registries": vars.docker_insecure_registries,
    "log-driver": "json-file",
    "log-opts": { "max-size": vars.docker_log_max_size, "max-file": String(vars.docker_log_max_file) },
    "live-restore": vars.docker_live_restore,
  };
  return JSON.stringify(config, null, 2) + "\n";
}
