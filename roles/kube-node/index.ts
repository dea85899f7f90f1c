/**
 * Step 6 of the guide, its second half: kubelet and kube-proxy on every node. kubelet joins with
 * the bootstrap token (bootstrap.kubeconfig); this role approves its certificate request only after
 * checking who asked, for what, and that the key is the one that node's kubelet holds on disk
 * (csr-review.ts). What kubelet was issued (kubelet.kubeconfig, its certificates) is never written
 * by the role, so a re-run does not bootstrap a joined node again. Then the node gets the
 * inventory's labels and taints, and kube-proxy runs in iptables (or ipvs) mode.
 */
import { command, containerRuntime, containerRuntimeProblem, shellQuote, copy, defineRole, file, flushHandlers, line, onlyOnGroup, knownKubeVersion, programVersionCheck, requireFiles, restartHandler, systemd, template, waitFor, type Task, type TaskContext, type VarsOf } from "easy-kube";
import { bundleHasComponent, imagesFromBundle, installFromBundleTask } from "easy-kube/bundle";
import { apiserverAccess, pkiDirOf } from "easy-kube/pki";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_COMPONENTS, extraFlagProblems, unitTemplateVars } from "./components.ts";
import { approveOwnCertificate, kubeletCertFiles } from "./csr-approval.ts";
import { kubeNodeDefaults } from "./defaults.ts";
import { bootstrapsServingCertificate, renderKubeletConfig, usesConfigFile } from "./kubelet-config.ts";
import { nodeAddress, nodeContext, nodeFiles } from "./node-context.ts";
import { isIP } from "node:net";
import { nodeLabelsAndTaints, parseTaint, type Taint } from "./node-metadata.ts";
import { reportPendingRequests } from "./pending-report.ts";
import { runtimeCgroupDriverCheck } from "./runtime-cgroup-driver.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof kubeNodeDefaults>;

const RESTART = { kubelet: "restart kubelet one node at a time", "kube-proxy": "restart kube-proxy" } as const;

/** kubelet's own health endpoint (127.0.0.1:10248 in every version). */
const kubeletHealthy = () => waitFor({ url: "http://127.0.0.1:10248/healthz", timeoutSeconds: 60 });

type Results = TaskContext<Vars>["results"];
const JOINED = "kubelet_joined";
/** kubelet held its client certificate when this run began (see nodeContext's `joined`). */
/**
 * The sha256 of the kube-proxy.kubeconfig the PKI distributes (another apiserver address, a renewed
 * certificate), written into kube-proxy's unit so that a new one restarts it; kube-proxy reads its
 * kubeconfig only when it starts.
 */
function kubeProxyKubeconfigSha256(vars: Vars & { inventory_dir?: unknown }): string {
  const path = join(pkiDirOf(vars), "kube-proxy.kubeconfig");
  return existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "not made yet";
}

const joinedBefore = (results: Results) => String(results[JOINED]?.data["stdout"] ?? "").trim() === "joined";

/** The KubeletConfiguration file (1.10 and later), with rotation as `joined` says. */
function kubeletConfigTask(args: { name: string; joined: (ctx: TaskContext<Vars>) => boolean; register?: string }): Task<Vars> {
  return {
    name: args.name,
    when: ({ vars }) => usesConfigFile(vars.kube_version),
    action: (ctx) => copy({ content: renderKubeletConfig(ctx.vars, nodeContext(ctx.host, ctx.vars, ctx.inventory.groupNames(ctx.host), ctx.facts, args.joined(ctx))), dest: nodeFiles(ctx.vars).kubeletConfig, mode: "0644" }),
    ...(args.register ? { register: args.register } : { notify: [RESTART.kubelet] }),
  };
}

function ipv4Number(address: string): number | undefined {
  const parts = address.split(".").map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts.reduce((n, p) => n * 256 + p, 0) : undefined;
}

/** Whether an IPv4 address is inside an IPv4 CIDR (anything else: not judged here). */
export function insideCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const a = ipv4Number(address);
  const b = ipv4Number(base ?? "");
  if (a === undefined || b === undefined) return true;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}

export const kubeNodeRole = defineRole({
  name: "kube-node",
  dir: here,
  schema: kubeNodeDefaults,
  checks: [
    onlyOnGroup("kube_node"),
    ({ inventory }) => (inventory.groupHosts("kube_master").length === 0 ? ["the inventory has no kube_master host: kubelets join an apiserver"] : []),
    ({ hosts, vars }) => {
      const problems = new Set<string>();
      for (const host of hosts) {
        const v = vars(host) as Vars;
        const version = knownKubeVersion(v.kube_version, problems);
        if (!version) continue;
        if (v.install_method !== "bundle") problems.add("kube-node installs Kubernetes from the bundle only (install_method: bundle)");
        const runtimeProblem = containerRuntimeProblem(v);
        if (runtimeProblem) problems.add(runtimeProblem);
        // kubelet's --node-ip and address, kube-proxy's --bind-address take an address, not a name.
        const address = nodeAddress(host, v as Vars & { ansible_host?: unknown });
        if (isIP(address) === 0) problems.add(`${host}: the node's address '${address}' (kube_node_address, else ansible_host, else the inventory name) is not an IP address: kubelet's --node-ip and kube-proxy's --bind-address need one; set ansible_host or kube_node_address to it`);
        if (v.kube_proxy_mode === "ipvs" && version[1] < 11) problems.add(`kube_proxy_mode ipvs: kube-proxy ${v.kube_version} has no stable ipvs mode (from 1.11)`);
        if (!insideCidr(v.kube_cluster_dns, v.kube_service_cidr)) problems.add(`kube_cluster_dns ${v.kube_cluster_dns} is not inside kube_service_cidr ${v.kube_service_cidr}`);
        if (v.kubelet_image_gc_low_threshold >= v.kubelet_image_gc_high_threshold) problems.add(`${host}: kubelet_image_gc_low_threshold (${v.kubelet_image_gc_low_threshold}) must be below kubelet_image_gc_high_threshold (${v.kubelet_image_gc_high_threshold})`);
        for (const taint of v.kube_node_taints) {
          const parsed = parseTaint(taint);
          if (typeof parsed === "string") problems.add(`${host}: kube_node_taints: ${parsed}`);
        }
        for (const problem of extraFlagProblems(v)) problems.add(problem);
      }
      return [...problems];
    },
    bundleHasComponent("kubernetes"),
    bundleHasComponent("images"),
  ],
  tasks: [
    {
      name: "check the PKI's files are in place",
      action: ({ vars }) => {
        const f = nodeFiles(vars);
        return requireFiles([f.ca, f.bootstrapKubeconfig, f.kubeProxyKubeconfig], "they come from the PKI: run playbooks/pki.ts (site.ts runs it before kube-node)");
      },
    },
    installFromBundleTask("kubernetes", { name: "install kubelet and kube-proxy from the bundle", names: ["kubelet", "kube-proxy"], restarts: Object.values(RESTART) }),
    {
      name: "check the programs are the asked version",
      action: ({ vars }) => programVersionCheck(`${vars.bin_dir}/kubelet`, vars.kube_version),
    },
    {
      // kubelet and the runtime must place containers in the same cgroup hierarchy, or pods fail to start.
      name: "check the container runtime's cgroup driver is cgroup_driver",
      action: ({ vars }) => runtimeCgroupDriverCheck(containerRuntime(vars), vars.cgroup_driver, vars.bin_dir),
    },
    {
      // containerd's role imports them into its CRI namespace.
      name: "load the pause and busybox images from the bundle into Docker where missing",
      when: ({ vars }) => vars.install_method === "bundle" && containerRuntime(vars) === "docker",
      action: ({ vars }) => imagesFromBundle(vars),
    },
    {
      name: "create kubelet's folder",
      action: ({ vars }) => file({ path: vars.kubelet_root_dir, state: "directory", mode: "0750" }),
    },
    {
      name: "read whether kubelet holds its client certificate",
      action: ({ vars }) => command({ cmd: `if [ -e ${shellQuote(kubeletCertFiles(vars).client)} ]; then echo joined; fi`, readOnly: true }),
      register: JOINED,
    },
    {
      // The kubeconfig kubelet was issued is kept, but its server follows the inventory: a second
      // master moves every node to its local proxy, and a kubelet left on the first master would
      // lose the API with it.
      name: "point kubelet's kubeconfig at the apiserver",
      when: ({ results }) => joinedBefore(results),
      action: ({ vars, inventory }) => line({ path: nodeFiles(vars).kubeletKubeconfig, regexp: "^\\s*server: ", line: `    server: ${apiserverAccess(vars, inventory).nodeServer}` }),
      notify: [RESTART.kubelet],
    },
    kubeletConfigTask({ name: "write the kubelet configuration file", joined: ({ results }) => joinedBefore(results) }),
    ...NODE_COMPONENTS.map((component) => ({
      name: `write the ${component.name} unit`,
      action: ({ vars, host, inventory, results, facts }: TaskContext<Vars>) =>
        template({
          src: `${here}/templates/${component.name}.service.hbs`,
          dest: `/etc/systemd/system/${component.name}.service`,
          mode: "0644",
          vars: unitTemplateVars(component, vars, nodeContext(host, vars, inventory.groupNames(host), facts, joinedBefore(results)), kubeProxyKubeconfigSha256(vars)),
        }),
      notify: [RESTART[component.name]],
      register: `${component.name}_unit`,
    })),
    {
      name: "start kubelet",
      action: () => systemd({ name: "kubelet", state: "started", enabled: true }),
      register: "kubelet_start",
    },
    // A kubelet whose unit or configuration changed restarts before its request is awaited.
    flushHandlers,
    {
      name: "approve this node's kubelet client certificate (identity and key checked)",
      action: ({ vars, host, inventory }) => approveOwnCertificate({ kind: "client", host, vars, inventory }),
    },
    // Joined now: client certificate rotation on (it renews before expiry), kubelet restarted once.
    kubeletConfigTask({ name: "turn on client certificate rotation", joined: () => true, register: "kubelet_rotation" }),
    {
      name: "write the kubelet unit with rotation on",
      when: ({ vars }) => !usesConfigFile(vars.kube_version),
      action: ({ vars, host, inventory, facts }) =>
        template({
          src: `${here}/templates/kubelet.service.hbs`,
          dest: "/etc/systemd/system/kubelet.service",
          mode: "0644",
          vars: unitTemplateVars(NODE_COMPONENTS[0]!, vars, nodeContext(host, vars, inventory.groupNames(host), facts, true), kubeProxyKubeconfigSha256(vars)),
        }),
      register: "kubelet_rotation_unit",
    },
    {
      name: "restart kubelet with rotation on",
      when: ({ results }) => results["kubelet_rotation"]?.changed === true || results["kubelet_rotation_unit"]?.changed === true,
      action: () => [systemd({ name: "kubelet", state: "restarted" }), kubeletHealthy()],
    },
    {
      name: "approve this node's kubelet serving certificate (its own names only)",
      when: ({ vars }) => bootstrapsServingCertificate(vars),
      action: ({ vars, host, inventory }) => approveOwnCertificate({ kind: "serving", host, vars, inventory }),
    },
    {
      name: "start kube-proxy",
      action: () => systemd({ name: "kube-proxy", state: "started", enabled: true }),
      register: "kube_proxy_start",
    },
    {
      name: "label and taint the node",
      action: ({ vars, host, inventory, facts }) => {
        const ctx = nodeContext(host, vars, inventory.groupNames(host), facts);
        return nodeLabelsAndTaints({ host, labels: ctx.labels, taints: ctx.registerTaints.map((t) => parseTaint(t) as Taint), dropTaints: ctx.dropTaints, vars, inventory });
      },
    },
    {
      name: "report certificate requests left pending",
      runOnce: true,
      ignoreErrors: true,
      action: ({ vars, inventory }) => reportPendingRequests({ vars, inventory }),
    },
  ],
  handlers: [
    // A kubelet still joining answers /healthz only once its request is approved (after this handler).
    restartHandler<Vars>({ name: RESTART.kubelet, service: "kubelet", startedBy: "kubelet_start", after: ({ results }) => (joinedBefore(results) ? [kubeletHealthy()] : []) }),
    restartHandler<Vars>({ name: RESTART["kube-proxy"], service: "kube-proxy", startedBy: "kube_proxy_start" }),
  ],
});

export default kubeNodeRole;
