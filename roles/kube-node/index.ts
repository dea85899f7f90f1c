/**
 * Step 6 of the guide, its second half: kubelet and kube-proxy on every node. kubelet joins with
 * the bootstrap token (bootstrap.kubeconfig); this role approves its certificate request only after
 * checking who asked, for what, and that the key is the one that node's kubelet holds on disk
 * (csr-review.ts). What kubelet was issued (kubelet.kubeconfig, its certificates) is never written
 * by the role, so a re-run does not bootstrap a joined node again. Then the node gets the
 * inventory's labels and taints, and kube-proxy runs in iptables (or ipvs) mode.
 */
import { cidrContains, kubeHas, containerRuntime, containerRuntimeProblem, copy, registeredStat, stat, type Operation, defineRole, file, flushHandlers, line, onlyOnGroup, knownKubeVersion, programVersionCheck, requireFiles, restartHandler, systemd, componentUnit, waitFor, type TaskContext, type VarsOf } from "easy-kube";
import { bundleHasComponent, imagesFromBundle, installFromBundleTask } from "easy-kube/bundle";
import { apiserverAccess, pkiDirOf, pkiFilesFor, type DistributedFile } from "easy-kube/pki";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KUBE_PROXY, KUBELET, extraFlagProblems, unitTemplateVars, type NodeComponent } from "./components.ts";
import { approveOwnCertificate, kubeletCertFiles } from "./csr-approval.ts";
import { kubeNodeDefaults } from "./defaults.ts";
import { bootstrapsServingCertificate, renderKubeletConfig, usesConfigFile } from "./kubelet-config.ts";
import { nodeAddress, nodeContext, nodeFiles, type NodeContext } from "./node-context.ts";
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

/**
 * The sha256 of the kube-proxy.kubeconfig the PKI distributes (another apiserver address, a renewed
 * certificate), written into kube-proxy's unit so that a new one restarts it; kube-proxy reads its
 * kubeconfig only when it starts.
 */
function kubeProxyKubeconfigSha256(vars: Vars & { inventory_dir?: unknown }): string {
  const path = join(pkiDirOf(vars), "kube-proxy.kubeconfig");
  return existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "not made yet";
}

/**
 * A kubelet joins in two phases. "as found": what the node had when the run began; a kubelet that
 * does not hold its client certificate yet bootstraps with rotation off, so the key it asks a
 * certificate for is on disk for the identity check (node-context.ts says why). "joined": its
 * certificate approved, rotation on. A node joined before the run is "joined" in the first phase
 * already: the second is skipped for it.
 */
type JoinPhase = "as found" | "joined";
const CLIENT_CERTIFICATE_AT_START = "kubelet_client_certificate";

function isJoined(phase: JoinPhase, results: Results): boolean {
  return phase === "joined" || registeredStat(results[CLIENT_CERTIFICATE_AT_START])?.exists === true;
}

/** kubelet's configuration file (from 1.10) and its unit, as the phase has them: the two places its settings live. */
function kubeletFiles(ctx: TaskContext<Vars>, phase: JoinPhase): Operation[] {
  const { vars, host, inventory, facts, results } = ctx;
  const node = nodeContext(host, vars, inventory.groupNames(host), facts, isJoined(phase, results));
  return [
    ...(usesConfigFile(vars.kube_version) ? [copy({ content: renderKubeletConfig(vars, node), dest: nodeFiles(vars).kubeletConfig, mode: "0644" })] : []),
    unitOf(KUBELET, vars, node),
  ];
}

function unitOf(component: NodeComponent, vars: Vars, node: NodeContext): Operation {
  return componentUnit({ templates: `${here}/templates`, name: component.name, vars: unitTemplateVars(component, vars, node, kubeProxyKubeconfigSha256(vars)) });
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
        if (v.kube_proxy_mode === "ipvs" && !kubeHas("kubeProxyIpvs", v.kube_version)) problems.add(`kube_proxy_mode ipvs: kube-proxy ${v.kube_version} has no stable ipvs mode (from 1.11)`);
        if (cidrContains(v.kube_service_cidr, v.kube_cluster_dns) === false) problems.add(`kube_cluster_dns ${v.kube_cluster_dns} is not inside kube_service_cidr ${v.kube_service_cidr}`);
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
      name: "check the PKI's certificates are in place",
      action: ({ vars }) => requireFiles([nodeFiles(vars).ca], "it comes from the PKI: run playbooks/pki.ts (site.ts runs it before kube-node)"),
    },
    {
      // Here, not in the PKI stage: with several masters they name the local proxy, which the
      // apiserver-proxy stage has installed by now (DistributedFile.installedBy).
      name: "install the kubeconfigs kubelet and kube-proxy dial with",
      loop: ({ vars }) => pkiFilesFor(["kube_node"], vars.pki_remote_ssl_dir, vars.kube_config_dir).filter((f) => f.installedBy === "kube-node"),
      loopLabel: (item: DistributedFile) => item.dest,
      action: ({ vars, item }) => copy({ src: join(pkiDirOf(vars), item.name), srcMadeByRun: true, dest: item.dest, mode: "0600", owner: "root", group: "root", secret: true }),
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
      action: ({ vars }) => stat(kubeletCertFiles(vars).client),
      register: CLIENT_CERTIFICATE_AT_START,
    },
    {
      // The kubeconfig kubelet was issued is kept, but its server follows the inventory: a second
      // master moves every node to its local proxy, and a kubelet left on the first master would
      // lose the API with it.
      name: "point kubelet's kubeconfig at the apiserver",
      when: ({ results }) => isJoined("as found", results),
      action: ({ vars, inventory }) => line({ path: nodeFiles(vars).kubeletKubeconfig, regexp: "^\\s*server: ", line: `    server: ${apiserverAccess(vars, inventory).nodeServer}` }),
      notify: [RESTART.kubelet],
    },
    {
      name: "write kubelet's configuration and unit",
      action: (ctx) => kubeletFiles(ctx, "as found"),
      notify: [RESTART.kubelet],
    },
    {
      name: "write kube-proxy's unit",
      action: ({ vars, host, inventory, facts }) => unitOf(KUBE_PROXY, vars, nodeContext(host, vars, inventory.groupNames(host), facts)),
      notify: [RESTART["kube-proxy"]],
    },
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
    {
      // A node that joined in this run: client certificate rotation on (it renews before expiry).
      name: "turn on client certificate rotation (kubelet's configuration and unit)",
      when: ({ results }) => !isJoined("as found", results),
      action: (ctx) => kubeletFiles(ctx, "joined"),
      register: "kubelet_rotation",
    },
    {
      name: "restart kubelet with rotation on",
      when: ({ results }) => results["kubelet_rotation"]?.changed === true,
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
    restartHandler<Vars>({ name: RESTART.kubelet, service: "kubelet", startedBy: "kubelet_start", after: ({ results }) => (isJoined("as found", results) ? [kubeletHealthy()] : []) }),
    restartHandler<Vars>({ name: RESTART["kube-proxy"], service: "kube-proxy", startedBy: "kube_proxy_start" }),
  ],
});

export default kubeNodeRole;
