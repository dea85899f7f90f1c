/**
 * Step 1 of the guide on every host: a supported OS, firewalld off, SELinux off, swap off, the
 * host name, the kernel modules and parameters Kubernetes needs, and (for the packages install
 * method) Docker CE's package repository. The OS check runs first, so an unsupported host fails
 * before anything on it changes.
 */
import { assertThat, defineRole, firewalldOff, hostname, kernelModule, packages, selinux, swapOff, sysctl } from "easy-kube";
import { isIP } from "node:net";
import { prepareDefaults } from "./defaults.ts";
import { dockerRepo } from "./package-repos.ts";
import { cgroupProblems, osProblems } from "./supported-os.ts";

/**
 * The modules kube-proxy's ipvs mode needs (its own check looks for these; without them it falls
 * back to iptables without a word). A kernel that has none, like a container's, fails here naming
 * the module.
 */
const IPVS_MODULES = ["ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", "nf_conntrack"];

const proxiesWithIpvs = (vars: { kube_proxy_mode: string }, groups: readonly string[]) => vars.kube_proxy_mode === "ipvs" && groups.includes("kube_node");

export const prepareRole = defineRole({
  name: "prepare",
  dir: import.meta.dirname,
  schema: prepareDefaults,
  tasks: [
    {
      name: "check the OS is supported",
      when: ({ vars }) => vars.prepare_check_os,
      action: ({ vars, facts }) => assertThat("supported OS", osProblems(facts, vars.install_method === "bundle" ? vars.bundle_arch : undefined)),
    },
    {
      // A kubelet that cannot run on the host's cgroup hierarchy is found here, before anything changes.
      name: "check kubelet runs on the host's cgroup version",
      when: ({ vars }) => vars.prepare_check_os,
      action: ({ vars, facts }) => assertThat(`cgroup v${facts.cgroupVersion}`, cgroupProblems(facts.cgroupVersion, vars.kube_version)),
    },
    {
      name: "stop and disable firewalld",
      when: ({ vars }) => vars.prepare_disable_firewalld,
      action: () => firewalldOff(),
    },
    {
      name: "set SELinux mode",
      action: ({ vars }) => selinux(vars.prepare_selinux),
    },
    {
      name: "turn swap off",
      when: ({ vars }) => vars.prepare_disable_swap,
      action: () => swapOff(),
    },
    {
      name: "set the host name",
      when: ({ vars, host }) => vars.prepare_set_hostname && isIP(host) === 0,
      action: ({ host }) => hostname(host),
    },
    {
      name: "load kernel modules",
      loop: ({ vars, host, inventory }) => [...vars.prepare_kernel_modules, ...(proxiesWithIpvs(vars, inventory.groupNames(host)) ? IPVS_MODULES : [])],
      action: ({ item }) => kernelModule({ name: item }),
    },
    {
      // kube-proxy's ipvs mode programs its rules with ipset; ipvsadm is how people look at them.
      name: "install ipset and ipvsadm for kube-proxy's ipvs mode",
      when: ({ vars, host, inventory }) => proxiesWithIpvs(vars, inventory.groupNames(host)),
      action: () => packages({ names: ["ipset", "ipvsadm"], updateCache: true }),
    },
    {
      name: "set kernel parameters",
      when: ({ vars }) => Object.keys(vars.prepare_sysctl).length > 0,
      action: ({ vars }) => sysctl({ values: vars.prepare_sysctl, file: "/etc/sysctl.d/90-easy-kube.conf" }),
    },
    {
      name: "add Docker CE's package repository",
      when: ({ vars }) => vars.install_method === "packages" && vars.prepare_docker_repo,
      action: ({ vars, facts }) => dockerRepo(facts, vars),
    },
  ],
});

export default prepareRole;
