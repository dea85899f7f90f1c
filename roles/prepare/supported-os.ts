/**
 * What the guide's stack runs on, checked from gathered facts before anything changes: CentOS/RHEL
 * 7.4 or later (kernel 3.10.0-693: the first CentOS 7 kernel whose overlayfs docker's overlay2
 * accepts), Debian 9+, Ubuntu 16.04+; systemd as init; amd64 or arm64 matching bundle_arch.
 */
import { KUBE_VERSION_FACTS, rowAppliesTo, type HostFacts, type VersionRange } from "easy-kube";

const REDHAT_LIKE = ["centos", "rhel", "rocky", "almalinux", "ol"];

function numbers(version: string): number[] {
  return (version.match(/\d+/g) ?? []).map(Number);
}

function atLeast(version: string, minimum: string): boolean {
  const [a, b] = [numbers(version), numbers(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function osProblems(facts: HostFacts, bundleArch: string | undefined): string[] {
  const problems: string[] = [];
  const os = `${facts.prettyName || facts.distribution} (${facts.distribution} ${facts.distributionVersion})`;
  if (REDHAT_LIKE.includes(facts.distribution)) {
    if (facts.distributionMajorVersion < 7) problems.push(`${os} is too old: CentOS/RHEL 7.4 or later is needed`);
    else if (facts.distributionMajorVersion === 7 && !atLeast(facts.kernel, "3.10.0-693")) {
      problems.push(`kernel ${facts.kernel} is older than 3.10.0-693 (CentOS 7.4): overlay2 needs it; update the kernel (yum update kernel) and reboot`);
    }
  } else if (facts.distribution === "debian") {
    if (facts.distributionMajorVersion < 9) problems.push(`${os} is too old: Debian 9 or later is needed`);
  } else if (facts.distribution === "ubuntu") {
    if (!atLeast(facts.distributionVersion, "16.04")) problems.push(`${os} is too old: Ubuntu 16.04 or later is needed`);
  } else {
    problems.push(`${os} is not supported: CentOS/RHEL 7.4+, Debian 9+ or Ubuntu 16.04+ are`);
  }
  if (facts.initSystem !== "systemd") problems.push(`init is ${facts.initSystem || "unknown"}, not systemd: every component runs as a systemd service`);
  if (!["amd64", "arm64"].includes(facts.goArch)) problems.push(`architecture ${facts.architecture} is not supported (amd64 or arm64)`);
  else if (bundleArch && facts.goArch !== bundleArch) problems.push(`the host is ${facts.goArch} but bundle_arch is ${bundleArch}: set bundle_arch: ${facts.goArch} for this host`);
  return problems;
}

/** Why kubelet of `kubeVersion` cannot run on a host with this cgroup version (none: it can). */
export function cgroupProblems(cgroupVersion: 1 | 2, kubeVersion: string, runsOnV1: VersionRange = KUBE_VERSION_FACTS.kubeletRunsOnCgroupV1): string[] {
  if (cgroupVersion === 2 || rowAppliesTo(runsOnV1, kubeVersion)) return [];
  return [`the host runs cgroup v1 (stat -fc %T /sys/fs/cgroup is not cgroup2fs), and kubelet ${kubeVersion} runs on cgroup v2 only: boot the host with systemd.unified_cgroup_hierarchy=1, or choose an earlier kube_version`];
}
