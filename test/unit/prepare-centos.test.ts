/**
 * The prepare role on CentOS 7 hosts, planned on recorded facts (the lab boots only Debian):
 * what a dry run on a fresh CentOS 7.4 host would change, and the OS check's messages for hosts
 * the guide's stack does not support.
 */
import { describe, expect, it } from "vitest";
import { parseHostFacts } from "../../lib/facts/host-facts.js";
import { RecordedFacts } from "../../lib/facts/fact.js";
import { dockerRepo } from "../../roles/prepare/package-repos.js";
import { prepareRole } from "../../roles/prepare/index.js";
import { cgroupProblems, osProblems } from "../../roles/prepare/supported-os.js";
import { planRole } from "../helpers/plan-role.js";

const centosFacts = (kernel: string, version = "7") =>
  [
    "id=centos",
    'id_like=rhel fedora',
    `version_id=${version}`,
    `pretty=CentOS Linux ${version} (Core)`,
    "arch=x86_64",
    `kernel=${kernel}`,
    "hostname=localhost.localdomain",
    "fqdn=localhost.localdomain",
    "cpus=2",
    "mem_kb=3880000",
    "init=systemd",
    "default_dev=eth0",
    "addr=eth0 inet 192.168.1.21/24",
  ].join("\n");

const sysctlKeys = ["net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "vm.swappiness"];

const freshCentos = {
  name: "node1",
  hostFacts: centosFacts("3.10.0-693.el7.x86_64"),
  facts: {
    'systemd_unit:"firewalld"': { stdout: "LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=no\n" },
    "selinux:null": { stdout: "Enforcing\n---\nSELINUX=enforcing\nSELINUXTYPE=targeted\n" },
    "active_swaps:null": { stdout: "/dev/dm-1 partition 2097148 0 -2\n" },
    'file_with_content:"/etc/fstab"': { stdout: "file\t644\troot\troot\t5\t\t\n/dev/mapper/centos-root / xfs defaults 0 0\n/dev/mapper/centos-swap swap swap defaults 0 0\n" },
    "hostname:null": { stdout: "localhost.localdomain\nlocalhost.localdomain\n" },
    'kernel_module:{"name":"br_netfilter","file":"/etc/modules-load.d/br_netfilter.conf"}': { stdout: "missing no\n" },
    'kernel_module:{"name":"overlay","file":"/etc/modules-load.d/overlay.conf"}': { stdout: "loaded no\n" },
    [`sysctl:${JSON.stringify({ keys: sysctlKeys, file: "/etc/sysctl.d/90-easy-kube.conf" })}`]: {
      stdout: "ok\tnet.ipv4.ip_forward\t0\nok\tnet.bridge.bridge-nf-call-iptables\t0\nok\tnet.bridge.bridge-nf-call-ip6tables\t0\nok\tvm.swappiness\t30\n--easy-kube-sysctl-file--\n",
    },
  },
};

describe("prepare on CentOS 7 (recorded facts)", () => {
  it("plans every step of the guide on a fresh CentOS 7.4 host", async () => {
    expect(await planRole(prepareRole, freshCentos)).toEqual({
      "check the OS is supported": [],
      "check kubelet runs on the host's cgroup version": [],
      "stop and disable firewalld": ["disable firewalld", "stop firewalld"],
      "set SELinux mode": ["setenforce permissive (now enforcing)", "SELINUX=disabled in /etc/selinux/config (applies at next boot)"],
      "turn swap off": ["swapoff (1 active)", "comment out swap in /etc/fstab"],
      "set the host name": ["hostname localhost.localdomain -> node1", "/etc/hostname localhost.localdomain -> node1"],
      "load kernel modules": ["load br_netfilter", "persist br_netfilter in /etc/modules-load.d/br_netfilter.conf", "persist overlay in /etc/modules-load.d/overlay.conf"],
      "set kernel parameters": [
        "net.ipv4.ip_forward = 1 (now 0)",
        "net.bridge.bridge-nf-call-iptables = 1 (now 0)",
        "net.bridge.bridge-nf-call-ip6tables = 1 (now 0)",
        "vm.swappiness = 0 (now 30)",
        "persist in /etc/sysctl.d/90-easy-kube.conf",
      ],
    });
  });

  it("with install_method packages, adds Docker CE's yum repository", async () => {
    const planned = await planRole(prepareRole, {
      ...freshCentos,
      vars: { install_method: "packages" },
      facts: { ...freshCentos.facts, 'file_state:"/etc/yum.repos.d/docker-ce.repo"': { stdout: "absent\n" } },
    });
    expect(planned["add Docker CE's package repository"]).toEqual(["create /etc/yum.repos.d/docker-ce.repo"]);
  });

  it("on a node with kube_proxy_mode ipvs, loads the ip_vs modules and installs ipset (a kernel without them fails there)", async () => {
    const ipvsFacts = Object.fromEntries(
      ["ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", "nf_conntrack"].map((m) => [`kernel_module:{"name":"${m}","file":"/etc/modules-load.d/${m}.conf"}`, { stdout: "missing no\n" }]),
    );
    const node = { ...freshCentos, vars: { kube_proxy_mode: "ipvs" }, groups: ["kube_node"], facts: { ...freshCentos.facts, ...ipvsFacts, "package_manager:null": { stdout: "yum\n" }, 'installed_packages:{"manager":"yum","names":["ipset","ipvsadm"]}': { stdout: "ipset\tinstall ok installed\t(none):7.1-1.el7\n" } } };
    const planned = await planRole(prepareRole, node);
    expect(planned["load kernel modules"]).toEqual(expect.arrayContaining(["load ip_vs", "load ip_vs_sh", "load nf_conntrack", "persist ip_vs in /etc/modules-load.d/ip_vs.conf"]));
    expect(planned["install ipset and ipvsadm for kube-proxy's ipvs mode"]).toEqual(["install ipvsadm"]);
    // An etcd-only host runs no kube-proxy: nothing of it.
    const etcdOnly = await planRole(prepareRole, { ...node, groups: ["etcd"] });
    expect(etcdOnly["load kernel modules"]).not.toContain("load ip_vs");
    expect(etcdOnly).not.toHaveProperty(["install ipset and ipvsadm for kube-proxy's ipvs mode"]);
  });

  it("stops at the OS check on a CentOS 7.3 kernel, naming the fix", async () => {
    const planned = await planRole(prepareRole, { ...freshCentos, hostFacts: centosFacts("3.10.0-514.el7.x86_64") });
    expect(planned["check the OS is supported"]).toBe("kernel 3.10.0-514.el7.x86_64 is older than 3.10.0-693 (CentOS 7.4): overlay2 needs it; update the kernel (yum update kernel) and reboot");
  });
});

describe("the cgroup check", () => {
  it("passes every release the roles cover today, and refuses v1 for a release the version table says left it", () => {
    expect(cgroupProblems(1, "1.37.2")).toEqual([]);
    expect(cgroupProblems(2, "1.37.2", { until: "1.36" })).toEqual([]);
    expect(cgroupProblems(1, "1.37.2", { until: "1.37" })).toEqual([
      "the host runs cgroup v1 (stat -fc %T /sys/fs/cgroup is not cgroup2fs), and kubelet 1.37.2 runs on cgroup v2 only: boot the host with systemd.unified_cgroup_hierarchy=1, or choose an earlier kube_version",
    ]);
  });
});

describe("supported OS", () => {
  const facts = (lines: string) => parseHostFacts(lines);
  it("names what is wrong", () => {
    expect(osProblems(facts(centosFacts("2.6.32-754.el6.x86_64", "6")), "amd64")).toEqual(["CentOS Linux 6 (Core) (centos 6) is too old: CentOS/RHEL 7.4 or later is needed"]);
    expect(osProblems(facts("id=debian\nversion_id=12\npretty=Debian 12\narch=aarch64\nkernel=6.1.0\ninit=systemd"), "amd64")).toEqual(["the host is arm64 but bundle_arch is amd64: set bundle_arch: arm64 for this host"]);
    expect(osProblems(facts("id=ubuntu\nversion_id=14.04\npretty=Ubuntu 14.04\narch=x86_64\nkernel=4.4.0\ninit=init"), undefined)).toEqual([
      "Ubuntu 14.04 (ubuntu 14.04) is too old: Ubuntu 16.04 or later is needed",
      "init is init, not systemd: every component runs as a systemd service",
    ]);
    expect(osProblems(facts("id=alpine\nversion_id=3.19\npretty=Alpine Linux v3.19\narch=x86_64\nkernel=6.6\ninit=systemd"), undefined)).toEqual([
      "Alpine Linux v3.19 (alpine 3.19) is not supported: CentOS/RHEL 7.4+, Debian 9+ or Ubuntu 16.04+ are",
    ]);
    expect(osProblems(facts("id=debian\nversion_id=12\npretty=Debian 12\narch=x86_64\nkernel=6.1.0\ninit=systemd"), "amd64")).toEqual([]);
  });
});

describe("prepare on Debian with install_method packages (recorded facts)", () => {
  const debianArm = parseHostFacts("id=debian\nversion_id=12\ncodename=bookworm\npretty=Debian GNU/Linux 12 (bookworm)\narch=aarch64\nkernel=6.1.0-18-arm64\ninit=systemd");

  it("writes Docker CE's apt source from the facts: architecture and codename", async () => {
    const [key, source] = dockerRepo(debianArm, { docker_repo_baseurl: "https://mirror.example.com/docker", docker_repo_gpgkey: "" });
    const facts = new RecordedFacts({
      'command_guards:{"creates":"/etc/apt/keyrings/docker.asc"}': { stdout: "" },
      'file_state:"/etc/apt/sources.list.d/docker-ce.list"': { stdout: "absent\n" },
    });
    const target = { name: "node1", connection: { host: "node1", commandCount: 0, run: () => Promise.reject(new Error("facts only")), close: async () => {} }, facts, diff: true, check: true };
    expect((await key!.plan(target)).changes[0]).toContain("https://download.docker.com/linux/debian/gpg");
    const planned = await source!.plan(target);
    expect(planned.changes).toEqual(["create /etc/apt/sources.list.d/docker-ce.list"]);
    expect(planned.diffs?.[0]?.after).toBe("# Managed by easy-kube (role prepare)\ndeb [arch=arm64 signed-by=/etc/apt/keyrings/docker.asc] https://mirror.example.com/docker bookworm stable\n");
  });
});
