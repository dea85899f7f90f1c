/**
 * containerd's config.toml by containerd version: format 4 (the gRPC server's settings moved into
 * the io.containerd.server.v1.grpc plugin) from 2.4, format 3 (the CRI split into
 * io.containerd.cri.v1.images and io.containerd.cri.v1.runtime) from 2.0, format 2
 * (io.containerd.grpc.v1.cri) for 1.x. Field names checked against containerd 2.4.2's
 * internal/cri/config/config.go, its version.ConfigVersion (4) and its own `config dump` of the
 * rendered file (test/unit/containerd-rendered.test.ts), and 1.6's pkg/cri/config/config.go.
 * Registry hosts live in certs.d/ (config_path), read at each pull, so mirrors change without a
 * restart.
 */
import { renderTemplate, type VarsOf } from "easy-kube";
import { pauseImage } from "easy-kube/bundle";
import type { containerdDefaults } from "./defaults.ts";

type Vars = VarsOf<typeof containerdDefaults>;

/** The config format a containerd version reads. */
export function configFormat(containerdVersion: string): 2 | 3 | 4 {
  const [major = 0, minor = 0] = containerdVersion.replace(/^v/, "").split(".").map(Number);
  if (major >= 3 || (major === 2 && minor >= 4)) return 4;
  return major >= 2 ? 3 : 2;
}

export function containerdConfig(vars: Vars, templatesDir: string): string {
  const format = configFormat(vars.containerd_version);
  return renderTemplate(`${templatesDir}/config-v${format}.toml.hbs`, {
    root: vars.containerd_root,
    state: vars.containerd_state,
    snapshotter: vars.containerd_snapshotter,
    sandbox_image: pauseImage(vars.kube_version, vars.bundle_arch),
    systemd_cgroup: vars.cgroup_driver === "systemd",
    cni_bin_dir: vars.cni_bin_dir,
    cni_conf_dir: vars.cni_conf_dir,
    certs_dir: `${vars.containerd_config_dir}/certs.d`,
    max_log_line: vars.containerd_max_container_log_line_size,
  });
}

/** The default upstream server of a registry name, as containerd resolves it (docker.io is special). */
function registryServer(registry: string, insecure: boolean): string {
  if (registry === "docker.io") return "https://registry-1.docker.io";
  return `${insecure ? "http" : "https"}://${registry}`;
}

export interface RegistryHosts {
  readonly registry: string;
  readonly content: string;
}

/** One hosts.toml per registry that has mirrors or is insecure. */
export function registryHosts(vars: Vars): RegistryHosts[] {
  const registries = [...new Set([...Object.keys(vars.containerd_registry_mirrors), ...vars.containerd_insecure_registries])].sort();
  return registries.map((registry) => {
    const insecure = vars.containerd_insecure_registries.includes(registry);
    const lines = ["# Managed by easy-kube (role containerd): changes made here are replaced on the next run.", `server = ${JSON.stringify(registryServer(registry, insecure))}`];
    if (insecure) lines.push("skip_verify = true");
    for (const mirror of vars.containerd_registry_mirrors[registry] ?? []) {
      lines.push("", `[host.${JSON.stringify(mirror)}]`, '  capabilities = ["pull", "resolve"]');
      if (vars.containerd_insecure_registries.some((r) => mirror.includes(`//${r}`))) lines.push("  skip_verify = true");
    }
    return { registry, content: lines.join("\n") + "\n" };
  });
}
