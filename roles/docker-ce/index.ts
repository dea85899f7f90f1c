/**
 * The docker half of step 6 of the guide: Docker from the bundle (or OS packages), configured only
 * through /etc/docker/daemon.json (overlay2 by default, devicemapper direct-lvm as the alternative),
 * with the FORWARD-chain fix kept across Docker and host restarts, and restarted by its handler
 * only when the programs or the configuration changed: restart_throttle nodes at a time (one by
 * default), with live-restore keeping the containers running meanwhile.
 */
import { command, copy, defineRole, file, packages, restartHandler, systemd, template } from "easy-kube";
import { bundleHasComponent, installFromBundleTask } from "easy-kube/bundle";
import { daemonConfig } from "./daemon-config.ts";
import { dockerDefaults } from "./defaults.ts";

const here = import.meta.dirname;

/** The unit is written before a package is installed (so a package that starts Docker starts it configured): where dockerd will be. */
function dockerBinDir(vars: { docker_bin_dir: string; install_method: string; bin_dir: string; docker_packages: readonly string[] }): string {
  if (vars.docker_bin_dir) return vars.docker_bin_dir;
  if (vars.install_method === "bundle") return vars.bin_dir;
  return vars.docker_packages.includes("docker.io") ? "/usr/sbin" : "/usr/bin";
}
const FORWARD_RULE = "FORWARD -s 0.0.0.0/0 -j ACCEPT";
const RESTART = "restart docker";

export const dockerRole = defineRole({
  name: "docker-ce",
  dir: here,
  schema: dockerDefaults,
  checks: [
    bundleHasComponent("docker"),
    ({ hosts, vars }) =>
      hosts
        .filter((h) => vars(h)["docker_storage_driver"] === "devicemapper" && !vars(h)["docker_dm_directlvm_device"] && (vars(h)["docker_storage_opts"] as unknown[]).length === 0)
        .map((h) => `host ${h}: docker_storage_driver devicemapper needs docker_dm_directlvm_device (the block device for direct-lvm)`),
  ],
  tasks: [
    {
      name: "create /etc/docker",
      action: () => file({ path: "/etc/docker", state: "directory", mode: "0755" }),
    },
    {
      name: "write /etc/docker/daemon.json",
      action: ({ vars }) => copy({ dest: "/etc/docker/daemon.json", content: daemonConfig(vars), mode: "0644" }),
      notify: [RESTART],
    },
    {
      name: "write the docker unit",
      action: ({ vars }) =>
        template({
          src: `${here}/templates/docker.service.hbs`,
          dest: "/etc/systemd/system/docker.service",
          mode: "0644",
          vars: { ...vars, bin: dockerBinDir(vars) },
        }),
      notify: [RESTART],
    },
    installFromBundleTask("docker", { name: "install Docker from the bundle", restarts: [RESTART] }),
    {
      // After daemon.json and the unit: a package that starts Docker when installed starts it configured.
      name: "install Docker from OS packages",
      when: ({ vars }) => vars.install_method === "packages",
      action: ({ vars }) => packages({ names: vars.docker_packages, updateCache: true }),
      notify: [RESTART],
    },
    {
      name: "start docker",
      action: () => systemd({ name: "docker", state: "started", enabled: true }),
      register: "docker_start",
    },
    {
      // The unit adds it at every start; this covers a Docker that was already running.
      name: "accept forwarded traffic",
      when: ({ vars }) => vars.docker_forward_accept,
      action: () => command({ cmd: `iptables -I ${FORWARD_RULE}`, unless: `iptables -C ${FORWARD_RULE}` }),
    },
  ],
  handlers: [restartHandler({ name: RESTART, service: "docker", startedBy: "docker_start" })],
});

export default dockerRole;
