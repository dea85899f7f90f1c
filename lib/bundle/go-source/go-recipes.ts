/**
 * How each component's programs are built from its released Go modules (bundle source `go`): the
 * module that holds each program's main package, the link flags that stamp the version the way
 * upstream's Makefiles do, CGO and build tags as upstream ships each program, and the published
 * version of every module the module's go.mod replaces by a path of its repository (a module zip
 * holds only its own module, so `../api` or `./staging/src/k8s.io/api` is not there).
 */
import type { Arch } from "../bundle-vars.js";

export interface GoProgram {
  /** The file name in the bundle. */
  readonly name: string;
  /** The main module it is built as, at `moduleVersion(version)`. */
  readonly module: string;
  /** The main package inside the module ("." for the module's root). */
  readonly package: string;
  /** cgo and a static link (runc's nsenter; upstream's static containerd); otherwise CGO_ENABLED=0. */
  readonly cgoStatic?: boolean;
  readonly tags?: readonly string[];
  /** `-X name=value` link flags. */
  readonly stamps?: Readonly<Record<string, string>>;
}

export interface GoComponentRecipe {
  readonly programs: readonly GoProgram[];
  /** The published version of a module the main module replaces by a local path. */
  readonly replacedVersion: (modulePath: string, version: string) => string;
  /** Debian packages the build needs beyond Go (C headers and static libraries for cgo). */
  readonly debianBuildPackages: readonly string[];
  /** Also build `pause`, the pause image's static C program, from the main module's build/pause (Kubernetes). */
  readonly pauseFromTree?: boolean;
}

/** The release time a module's .info gives ("2026-10-27T12:01:04Z"): the build date, reproducible. */
export interface StampInput {
  readonly version: string;
  readonly releaseTime: string;
  readonly arch: Arch;
}

const sameVersion = (_path: string, version: string) => `v${version}`;

export function kubernetesRecipe(input: StampInput): GoComponentRecipe {
  const [major, minor] = input.version.split(".");
  const stamps: Record<string, string> = {};
  // Both packages print versions (component-base for the servers, client-go for kubectl's client side).
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    Object.assign(stamps, {
      [`${pkg}.gitVersion`]: `v${input.version}`,
      [`${pkg}.gitMajor`]: major!,
      [`${pkg}.gitMinor`]: minor!,
      // A module zip carries no commit: upstream's hack/lib/version.sh says "archive" for a tree without git.
      [`${pkg}.gitTreeState`]: "archive",
      [`${pkg}.buildDate`]: input.releaseTime,
    });
  }
  const program = (name: string): GoProgram => ({ name, module: "k8s.io/kubernetes", package: `./cmd/${name}`, tags: ["selinux", "notest"], stamps });
  return {
    programs: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"].map(program),
    // The staging modules are published as k8s.io/<name> v0.N.P for Kubernetes v1.N.P.
    replacedVersion: (_path, version) => `v0.${version.split(".").slice(1).join(".")}`,
    debianBuildPackages: [],
    pauseFromTree: true,
  };
}

export function etcdRecipe(input: StampInput): GoComponentRecipe {
  const program = (name: string, module: string): GoProgram => ({ name, module, package: "." });
  void input;
  return {
    programs: [program("etcd", "go.etcd.io/etcd/server/v3"), program("etcdctl", "go.etcd.io/etcd/etcdctl/v3"), program("etcdutl", "go.etcd.io/etcd/etcdutl/v3")],
    // etcd's modules (api, client, pkg, server) are released together under one version.
    replacedVersion: sameVersion,
    debianBuildPackages: [],
  };
}

export function containerdRecipe(input: StampInput): GoComponentRecipe {
  const module = "github.com/containerd/containerd/v2";
  const stamps = { [`${module}/version.Version`]: `v${input.version}`, [`${module}/version.Package`]: "github.com/containerd/containerd" };
  // Upstream's static release (make STATIC=1): cgo linked statically, so any glibc host runs it; the shim without cgo.
  const server = (name: string): GoProgram => ({ name, module, package: `./cmd/${name}`, cgoStatic: true, tags: ["urfave_cli_no_docs", "osusergo", "netgo", "static_build"], stamps });
  return {
    programs: [server("containerd"), server("ctr"), { name: "containerd-shim-runc-v2", module, package: "./cmd/containerd-shim-runc-v2", tags: ["urfave_cli_no_docs", "no_grpc"], stamps }],
    replacedVersion: sameVersion,
    // The btrfs snapshotter's cgo code includes <btrfs/ioctl.h>.
    debianBuildPackages: ["libbtrfs-dev"],
  };
}

export function runcRecipe(_input: StampInput): GoComponentRecipe {
  return {
    // runc's version comes from its VERSION file (embedded); seccomp as upstream's release, linked statically.
    programs: [{ name: "runc", module: "github.com/opencontainers/runc", package: ".", cgoStatic: true, tags: ["seccomp", "urfave_cli_no_docs"] }],
    replacedVersion: sameVersion,
    debianBuildPackages: ["libseccomp-dev"],
  };
}

export function crictlRecipe(input: StampInput): GoComponentRecipe {
  return {
    programs: [{ name: "crictl", module: "sigs.k8s.io/cri-tools", package: "./cmd/crictl", stamps: { "sigs.k8s.io/cri-tools/pkg/version.Version": `v${input.version}` } }],
    replacedVersion: sameVersion,
    debianBuildPackages: [],
  };
}

/** CoreDNS, the cluster DNS add-on's server, built as its Makefile does (CGO off, the commit stamped). */
export function corednsRecipe(_input: StampInput): GoComponentRecipe {
  return {
    // A module zip carries no commit: "archive", as the Kubernetes programs say for their tree state.
    programs: [{ name: "coredns", module: "github.com/coredns/coredns", package: ".", stamps: { "github.com/coredns/coredns/coremain.GitCommit": "archive" } }],
    replacedVersion: sameVersion,
    debianBuildPackages: [],
  };
}

/** The CNI plugins the network roles use (the same set as the archive and Debian sources). */
export const CNI_PLUGINS: Readonly<Record<string, string>> = {
  bridge: "./plugins/main/bridge",
  "host-local": "./plugins/ipam/host-local",
  loopback: "./plugins/main/loopback",
  portmap: "./plugins/meta/portmap",
};

export function cniRecipe(input: StampInput): GoComponentRecipe {
  const module = "github.com/containernetworking/plugins";
  const stamps = { [`${module}/pkg/utils/buildversion.BuildVersion`]: `v${input.version}` };
  return {
    programs: Object.entries(CNI_PLUGINS).map(([name, pkg]) => ({ name, module, package: pkg, stamps })),
    replacedVersion: sameVersion,
    debianBuildPackages: [],
  };
}
