/**
 * Variables shared by the bundle command and every role that installs binaries: which versions,
 * for which architecture, from where, and where the bundle lives. Roles spread these into their
 * own schema so one inventory value (etcd_version, ...) means the same thing everywhere.
 */
import { containerRuntimeVar } from "../kube/container-runtime.js";
import { v } from "../vars/schema.js";

export const ARCHES = ["amd64", "arm64"] as const;
export type Arch = (typeof ARCHES)[number];
export const COMPONENTS = ["etcd", "kubernetes", "docker", "containerd", "runc", "crictl", "cni", "images"] as const;
export type ComponentName = (typeof COMPONENTS)[number];
export const SOURCES = ["official", "mirror", "debian", "go"] as const;
export type BundleSource = (typeof SOURCES)[number];

export const bundleVars = {
  install_method: v.oneOf(["bundle", "packages"], "bundle", "How programs get onto hosts: from the bundle folder on the control machine (checksummed, no internet needed on the hosts), or from the OS's package manager (yum/dnf/apt)."),
  bundle_dir: v.string("", "The bundle folder on the control machine; empty: .bundle/ beside the inventory."),
  bundle_source: v.oneOf(SOURCES, "official", "Where `easy-kube bundle` takes the programs from: the official release archives, a mirror of those archives (bundle_mirror), Debian packages (binaries linked for Debian hosts; Kubernetes built from Debian's source package), or `go`: built on the control machine from the components' released Go modules (the Go module proxy; needs Go in /usr/local/go or EASYKUBE_GO)."),
  bundle_sources: v.mapOf(COMPONENTS, v.oneOf(SOURCES, "official", "a source"), {}, "The source of single components, overriding bundle_source for them: `{etcd: debian, kubernetes: go}`. Keys: etcd, kubernetes, docker, containerd, runc, crictl, cni, images."),
  bundle_mirror: v.string("", "A folder or http(s) URL holding the official archives under their own file names (bundle_source: mirror)."),
  bundle_debs_dir: v.string("", "A folder of .deb files to use instead of `apt-get download` (bundle_source: debian)."),
  bundle_checksums: v.map({}, "Pinned sha256 of archives, by file name: a download that differs is refused."),
  image_registry: v.string("", "A registry that replaces the registry of every bundled image (k8s.gcr.io, docker.io, ...) when `easy-kube bundle` pulls them: a site's own mirror. Empty: each image's own registry."),
  bundle_components: v.list(v.oneOf(COMPONENTS, "etcd", "a component"), [...COMPONENTS], "Components `easy-kube bundle` fills (those the inventory's groups need, out of this list)."),
  bundle_arch: v.oneOf(ARCHES, "amd64", "CPU architecture of the host's programs; checked against the host by the prepare role."),
  container_runtime: containerRuntimeVar,
  bin_dir: v.path("/usr/local/bin", "Where programs from the bundle are installed on the hosts."),
  etcd_version: v.string("3.2.11", "etcd version (the guide's: 3.2.11)."),
  kube_version: v.string("1.7.11", "Kubernetes version (the guide's: 1.7.11)."),
  docker_version: v.string("17.12.0-ce", "Docker version (the guide's: 17.12.0-ce)."),
  cni_version: v.string("0.6.0", "CNI plugins version."),
  containerd_version: v.string("2.4.2", "containerd version (container_runtime containerd)."),
  runc_version: v.string("1.5.3", "runc version (container_runtime containerd; the release containerd_version's own tests pair it with)."),
  crictl_version: v.string("1.37.0", "crictl version (cri-tools; released with each Kubernetes minor release)."),
} as const;

/** The variable that holds each component's version. */
export const VERSION_VARIABLE: Readonly<Record<ComponentName, keyof typeof bundleVars>> = {
  etcd: "etcd_version",
  kubernetes: "kube_version",
  docker: "docker_version",
  containerd: "containerd_version",
  runc: "runc_version",
  crictl: "crictl_version",
  cni: "cni_version",
  images: "kube_version",
};

/** A component's source: its entry in bundle_sources, else bundle_source. */
export function componentSource(component: ComponentName, vars: { readonly bundle_source: BundleSource; readonly bundle_sources: Partial<Record<ComponentName, BundleSource>> }): BundleSource {
  return vars.bundle_sources[component] ?? vars.bundle_source;
}
