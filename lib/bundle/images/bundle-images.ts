/**
 * The images the bundle holds for a Kubernetes version: the pause image kubelet runs every pod's
 * sandbox from (its name and tag changed over the versions), and busybox for the checks and examples
 * that run pods. Later stages add their images here. A node loads each from its archive only when
 * its runtime lacks it, and the roles' pods use `imagePullPolicy: IfNotPresent`, so no registry is
 * needed.
 */
import { versionAtLeast } from "../manifest.js";
import type { Arch } from "../bundle-vars.js";

export interface BundleImage {
  /** The archive's file name in the bundle. */
  readonly file: string;
  /** Where the image is pulled from and the tag it carries once loaded. */
  readonly reference: string;
}

/** kubelet's default sandbox image (--pod-infra-container-image) for the version. */
export function pauseImage(kubeVersion: string, arch: Arch): string {
  // kubeadm's PauseVersion of the release (cmd/kubeadm/app/constants).
  if (versionAtLeast(kubeVersion, "1.37.0")) return "registry.k8s.io/pause:3.10.2";
  if (versionAtLeast(kubeVersion, "1.22.0")) return "k8s.gcr.io/pause:3.5";
  if (versionAtLeast(kubeVersion, "1.21.0")) return "k8s.gcr.io/pause:3.4.1";
  if (versionAtLeast(kubeVersion, "1.18.0")) return "k8s.gcr.io/pause:3.2";
  if (versionAtLeast(kubeVersion, "1.11.0")) return "k8s.gcr.io/pause:3.1";
  if (versionAtLeast(kubeVersion, "1.10.0")) return `k8s.gcr.io/pause-${arch}:3.1`;
  return `gcr.io/google_containers/pause-${arch}:3.0`;
}

export const BUSYBOX_IMAGE = "docker.io/library/busybox:1.35";

/**
 * CoreDNS as kubeadm pairs it with each release (cmd/kubeadm/app/constants: CoreDNSVersion),
 * checked in the releases' own trees; a release not listed has no CoreDNS in the bundle yet.
 */
const COREDNS_FOR_KUBERNETES: Readonly<Record<string, { readonly version: string; readonly reference: string }>> = {
  "1.37": { version: "1.14.6", reference: "registry.k8s.io/coredns/coredns:v1.14.6" },
};

/** The CoreDNS paired with a Kubernetes release, if the bundle knows one. */
export function corednsFor(kubeVersion: string): { readonly version: string; readonly reference: string } | undefined {
  return COREDNS_FOR_KUBERNETES[kubeVersion.replace(/^v/, "").split(".").slice(0, 2).join(".")];
}

export function bundleImages(kubeVersion: string, arch: Arch): BundleImage[] {
  const coredns = corednsFor(kubeVersion);
  return [
    { file: "pause.tar", reference: pauseImage(kubeVersion, arch) },
    { file: "busybox.tar", reference: BUSYBOX_IMAGE },
    ...(coredns ? [{ file: "coredns.tar", reference: coredns.reference }] : []),
  ];
}

/** The name Docker shows for a reference: Docker Hub's own prefix dropped ("busybox:1.35"). */
export function dockerTag(reference: string): string {
  return reference.replace(/^docker\.io\/library\//, "").replace(/^docker\.io\//, "");
}
