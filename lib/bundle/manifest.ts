/**
 * The versions manifest: for a component, version and architecture, the files a host gets and
 * where they come from (an official archive and the path of each file inside it, or Debian
 * packages). The version decides file names where upstream changed them (docker 18.09, CNI 0.8).
 */
import { EasyKubeError } from "../errors.js";
import type { Arch, BundleSource, ComponentName } from "./bundle-vars.js";
import { bundleImages, type BundleImage } from "./images/bundle-images.js";
import { cniRecipe, containerdRecipe, crictlRecipe, etcdRecipe, kubernetesRecipe, runcRecipe, type GoComponentRecipe, type StampInput } from "./go-source/go-recipes.js";

export interface ArchiveOrigin {
  readonly kind: "archive";
  /** The archive's file name, as upstream names it (also its name in a mirror). */
  readonly fileName: string;
  readonly url: string;
  /** Where upstream publishes the archive's sha256, if it does. */
  readonly checksumUrl?: string;
  /** The download is the program itself (runc), not an archive: its bundle name. */
  readonly single?: string;
  /** Bundle file name -> path inside the archive. */
  readonly members: Readonly<Record<string, string>>;
}

export interface DebianOrigin {
  readonly kind: "debian";
  /** Bundle file name -> package and path inside it. */
  readonly members: Readonly<Record<string, { readonly package: string; readonly path: string }>>;
  /** Packages whose upstream version must be the component's (helpers such as runc have their own). */
  readonly versioned: readonly string[];
}

/** Programs built on the control machine from Debian's source package (Kubernetes). */
export interface SourceBuildOrigin {
  readonly kind: "source-build";
  readonly programs: readonly string[];
}

/** Programs built on the control machine from the component's released Go modules (go-recipes.ts). */
export interface GoBuildOrigin {
  readonly kind: "go-build";
  readonly recipe: (input: StampInput) => GoComponentRecipe;
}

/** Image archives: pulled from a registry, or built from Debian material (bundle_source debian). */
export interface ImagesOrigin {
  readonly kind: "images";
  readonly images: readonly BundleImage[];
}

export interface ComponentManifest {
  readonly component: ComponentName;
  readonly version: string;
  readonly arch: Arch;
  readonly files: readonly string[];
  readonly origin: ArchiveOrigin | DebianOrigin | SourceBuildOrigin | GoBuildOrigin | ImagesOrigin;
}

export const KUBERNETES_PROGRAMS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"] as const;

/** "17.12.0-ce" -> [17, 12, 0]. */
export function versionNumbers(version: string): number[] {
  return version.replace(/^v/, "").split(/[.-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
}

export function versionAtLeast(version: string, minimum: string): boolean {
  const [a, b] = [versionNumbers(version), versionNumbers(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function componentManifest(component: ComponentName, rawVersion: string, arch: Arch, source: BundleSource): ComponentManifest {
  const version = rawVersion.replace(/^v/, "");
  if (component === "images") {
    const images = bundleImages(version, arch);
    return { component, version, arch, files: images.map((i) => i.file), origin: { kind: "images", images } };
  }
  if (source === "go") {
    const recipe = GO_RECIPES[component];
    const files = recipe({ version, releaseTime: "", arch }).programs.map((p) => p.name);
    return { component, version, arch, files, origin: { kind: "go-build", recipe } };
  }
  if (source !== "debian") {
    const origin = archiveOrigin(component, version, arch);
    return { component, version, arch, files: Object.keys(origin.members), origin };
  }
  if (component === "kubernetes") {
    // Debian packages no Kubernetes server programs, but its source package is the whole tree.
    return { component, version, arch, files: [...KUBERNETES_PROGRAMS], origin: { kind: "source-build", programs: KUBERNETES_PROGRAMS } };
  }
  const origin = debianOrigin(component);
  return { component, version, arch, files: Object.keys(origin.members), origin };
}

const GO_RECIPES: Readonly<Record<Exclude<ComponentName, "images">, (input: StampInput) => GoComponentRecipe>> = {
  kubernetes: kubernetesRecipe,
  etcd: etcdRecipe,
  containerd: containerdRecipe,
  runc: runcRecipe,
  crictl: crictlRecipe,
  cni: cniRecipe,
  docker: () => {
    throw new EasyKubeError("bundle_source go builds no Docker (moby is no Go module release): take docker from official, mirror or debian (bundle_sources: {docker: debian})");
  },
};

function archiveOrigin(component: Exclude<ComponentName, "images">, version: string, arch: Arch): ArchiveOrigin {
  switch (component) {
    case "etcd": {
      const folder = `etcd-v${version}-linux-${arch}`;
      const base = `https://github.com/etcd-io/etcd/releases/download/v${version}`;
      // etcdutl (offline snapshot restore, defragment) ships from 3.5.
      const programs = ["etcd", "etcdctl", ...(versionAtLeast(version, "3.5.0") ? ["etcdutl"] : [])];
      return { kind: "archive", fileName: `${folder}.tar.gz`, url: `${base}/${folder}.tar.gz`, checksumUrl: `${base}/SHA256SUMS`, members: Object.fromEntries(programs.map((p) => [p, `${folder}/${p}`])) };
    }
    case "kubernetes": {
      const fileName = `kubernetes-server-linux-${arch}.tar.gz`;
      const url = `https://dl.k8s.io/v${version}/${fileName}`;
      return { kind: "archive", fileName, url, checksumUrl: `${url}.sha256`, members: Object.fromEntries(KUBERNETES_PROGRAMS.map((p) => [p, `kubernetes/server/bin/${p}`])) };
    }
    case "docker": {
      const fileName = `docker-${version}.tgz`;
      const url = `https://download.docker.com/linux/static/stable/${arch === "amd64" ? "x86_64" : "aarch64"}/${fileName}`;
      // Before 18.09 the static archive prefixed its containerd and runc with "docker-".
      const programs = versionAtLeast(version, "18.9.0")
        ? ["docker", "dockerd", "docker-init", "docker-proxy", "containerd", "containerd-shim", "ctr", "runc", ...(versionAtLeast(version, "20.10.0") ? ["containerd-shim-runc-v2"] : [])]
        : ["docker", "dockerd", "docker-init", "docker-proxy", "docker-containerd", "docker-containerd-shim", "docker-containerd-ctr", "docker-runc"];
      return { kind: "archive", fileName, url, members: Object.fromEntries(programs.map((p) => [p, `docker/${p}`])) };
    }
    case "containerd": {
      const fileName = `containerd-${version}-linux-${arch}.tar.gz`;
      const url = `https://github.com/containerd/containerd/releases/download/v${version}/${fileName}`;
      return { kind: "archive", fileName, url, checksumUrl: `${url}.sha256sum`, members: Object.fromEntries(CONTAINERD_PROGRAMS.map((p) => [p, `bin/${p}`])) };
    }
    case "runc": {
      const fileName = `runc.${arch}`;
      const base = `https://github.com/opencontainers/runc/releases/download/v${version}`;
      return { kind: "archive", fileName, url: `${base}/${fileName}`, checksumUrl: `${base}/runc.sha256sum`, single: "runc", members: { runc: fileName } };
    }
    case "crictl": {
      const fileName = `crictl-v${version}-linux-${arch}.tar.gz`;
      const url = `https://github.com/kubernetes-sigs/cri-tools/releases/download/v${version}/${fileName}`;
      return { kind: "archive", fileName, url, checksumUrl: `${url}.sha256`, members: { crictl: "crictl" } };
    }
    case "cni": {
      // Renamed in 0.8.0 from cni-plugins-<arch>-v<version>.tgz; the flannel plugin left in 1.0.
      const fileName = versionAtLeast(version, "0.8.0") ? `cni-plugins-linux-${arch}-v${version}.tgz` : `cni-plugins-${arch}-v${version}.tgz`;
      const url = `https://github.com/containernetworking/plugins/releases/download/v${version}/${fileName}`;
      const plugins = ["bridge", "host-local", "loopback", "portmap", ...(versionAtLeast(version, "1.0.0") ? [] : ["flannel"])];
      return { kind: "archive", fileName, url, checksumUrl: `${url}.sha256`, members: Object.fromEntries(plugins.map((p) => [p, `./${p}`])) };
    }
  }
}

const CONTAINERD_PROGRAMS = ["containerd", "containerd-shim-runc-v2", "ctr"] as const;

function debianOrigin(component: Exclude<ComponentName, "images" | "kubernetes">): DebianOrigin {
  const from = (pkg: string, path: string) => ({ package: pkg, path });
  switch (component) {
    case "etcd":
      return { kind: "debian", versioned: ["etcd-server", "etcd-client"], members: { etcd: from("etcd-server", "usr/bin/etcd"), etcdctl: from("etcd-client", "usr/bin/etcdctl") } };
    case "docker":
      return {
        kind: "debian",
        versioned: ["docker.io"],
        members: {
          docker: from("docker.io", "usr/bin/docker"),
          dockerd: from("docker.io", "usr/sbin/dockerd"),
          "docker-proxy": from("docker.io", "usr/sbin/docker-proxy"),
          "docker-init": from("tini", "usr/bin/tini-static"),
          containerd: from("containerd", "usr/bin/containerd"),
          "containerd-shim": from("containerd", "usr/bin/containerd-shim"),
          "containerd-shim-runc-v2": from("containerd", "usr/bin/containerd-shim-runc-v2"),
          ctr: from("containerd", "usr/bin/ctr"),
          runc: from("runc", "usr/sbin/runc"),
        },
      };
    case "containerd":
      return { kind: "debian", versioned: ["containerd"], members: Object.fromEntries(CONTAINERD_PROGRAMS.map((p) => [p, from("containerd", `usr/bin/${p}`)])) };
    case "runc":
      return { kind: "debian", versioned: ["runc"], members: { runc: from("runc", "usr/sbin/runc") } };
    case "crictl":
      throw new EasyKubeError("Debian packages no crictl: take it from official, mirror or go (bundle_sources: {crictl: go})");
    case "cni":
      return { kind: "debian", versioned: ["containernetworking-plugins"], members: Object.fromEntries(["bridge", "host-local", "loopback", "portmap"].map((p) => [p, from("containernetworking-plugins", `usr/lib/cni/${p}`)])) };
  }
}

/**
 * The version Debian's packaging wraps: "1:20.10.24+dfsg1-1+deb12u1+b6" -> "20.10.24"; a
 * "+really" version is the one really packaged: "1.20.5+really1.20.2-1.1" -> "1.20.2".
 */
export function debianUpstreamVersion(packageVersion: string): string {
  const upstream = packageVersion.replace(/^\d+:/, "").replace(/-[^-]*$/, "");
  return (/\+really(.+)$/.exec(upstream)?.[1] ?? upstream).replace(/[+~].*$/, "");
}
