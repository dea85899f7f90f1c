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
  const [major = 0, minor = 0] = vars.containerd_version.replace(/^v/, "").split(".").map(Number);
  return renderTemplate(`${templatesDir}/${format === 2 ? "config-v2" : "config-v3-v4"}.toml.hbs`, {
    format,
    grpc_plugin: format >= 4,
    // The CRI's cni.bin_dirs list came with 2.1 (containerd#11311); 2.0 reads bin_dir.
    cni_bin_dirs: major > 2 || (major === 2 && minor >= 1),
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
      if (vars.containerd_insecure_registries.includes(urlHost(mirror))) lines.push("  skip_verify = true");
    }
    return { registry, content: lines.join("\n") + "\n" };
  });
}

/** host[:port] of a URL ("https://10.0.0.5:5000/v2" -> "10.0.0.5:5000"); the text itself when it is no URL. */
function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A registry as containerd names its certs.d folder: host[:port], nothing that leaves the folder. */
const REGISTRY = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;

/** Registry names and mirror URLs that cannot be used, for the role's check before any host is touched. */
export function registryProblems(vars: Vars): string[] {
  const problems: string[] = [];
  for (const registry of [...Object.keys(vars.containerd_registry_mirrors), ...vars.containerd_insecure_registries]) {
    if (!REGISTRY.test(registry)) problems.push(`registry '${registry}' is not host[:port] (containerd_registry_mirrors, containerd_insecure_registries)`);
  }
  for (const [registry, mirrors] of Object.entries(vars.containerd_registry_mirrors)) {
    for (const mirror of mirrors) if (!/^https?:\/\/[^/]/.test(mirror)) problems.push(`containerd_registry_mirrors ${registry}: '${mirror}' is not an http(s) URL`);
  }
  return [...new Set(problems)];
}
