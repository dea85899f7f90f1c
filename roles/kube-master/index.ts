/**
 * Step 4 of the guide: kube-apiserver, kube-controller-manager and kube-scheduler on every master,
 * each a systemd unit whose flags come from a typed table by kube_version. The apiserver serves TLS
 * with the kubernetes certificate, reaches etcd over TLS with its own client certificate, and
 * authorizes with Node and RBAC; the controller-manager and the scheduler reach it with kubeconfigs
 * of their own and elect leaders. They start after the apiserver answers; a change restarts the
 * masters one at a time, each healthy again before the next.
 */
import { componentUnit, defineRole, file, kubeHas, type InventoryView, type Operation, flushHandlers, kubeObjects, programVersionCheck, requireFiles, restartHandler, systemd, template, waitFor, type VarsOf } from "easy-kube";
import { installFromBundleTask } from "easy-kube/bundle";
import { apiserverAccess, apiserverReadinessPath, httpsUrl, masterAddress, pkiDirOf } from "easy-kube/pki";
import { proxyReturnSeconds } from "../apiserver-proxy/timing.ts";
import { COMPONENTS, componentExecStart } from "./components.ts";
import { kubeMasterChecks } from "./checks.ts";
import { kubeMasterDefaults } from "./defaults.ts";
import { flagContext } from "./flag-context.ts";
import { bootstrapBindings } from "./bootstrap-bindings.ts";
import { encryptionConfigFile } from "./encryption-config.ts";
import { masterFiles } from "./files.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof kubeMasterDefaults>;

/**
 * The apiserver's readiness, asked over TLS with the admin client certificate (anonymous requests
 * may be off). After a restart, with the nodes' local proxies, ready without a break for as long as
 * every proxy needs to take it back, so the next master may go down.
 */
function apiserverReady(vars: Vars, host: string, inventory: InventoryView, after: "start" | "restart"): Operation {
  const files = masterFiles(vars);
  const proxiesTakeItBack = after === "restart" && apiserverAccess(vars, inventory).localProxy;
  return waitFor({
    url: `${httpsUrl(masterAddress(host, vars), vars.kube_apiserver_port)}${apiserverReadinessPath(vars.kube_version)}`,
    curlOptions: ["--cacert", files.ca, "--cert", files.adminCert, "--key", files.adminKey],
    timeoutSeconds: vars.kube_master_health_timeout,
    readyForSeconds: proxiesTakeItBack ? proxyReturnSeconds(vars) : 0,
  });
}

/**
 * The controller-manager's and the scheduler's health on 127.0.0.1: their plain HTTP ports (10252,
 * 10251, which `kubectl get cs` also reads) while they have them, their TLS ports after. The TLS
 * ports serve a certificate the component made itself: the probe sends nothing secret, so it does
 * not verify it.
 */
const HEALTH_PORTS = {
  "kube-controller-manager": { http: 10252, https: 10257 },
  "kube-scheduler": { http: 10251, https: 10259 },
} as const;

function componentHealthy(name: keyof typeof HEALTH_PORTS, vars: Vars) {
  const ports = HEALTH_PORTS[name];
  if (kubeHas("masterInsecureHealthPorts", vars.kube_version)) return waitFor({ url: `http://127.0.0.1:${ports.http}/healthz`, timeoutSeconds: vars.kube_master_health_timeout });
  return waitFor({ url: `https://127.0.0.1:${ports.https}/healthz`, curlOptions: ["--insecure"], timeoutSeconds: vars.kube_master_health_timeout });
}

const PROGRAMS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"];
const RESTART = {
  "kube-apiserver": "restart kube-apiserver one master at a time",
  "kube-controller-manager": "restart kube-controller-manager",
  "kube-scheduler": "restart kube-scheduler",
} as const;

export const kubeMasterRole = defineRole({
  name: "kube-master",
  dir: here,
  schema: kubeMasterDefaults,
  checks: kubeMasterChecks,
  tasks: [
    {
      name: "check the PKI's files are in place",
      action: ({ vars }) => {
        const f = masterFiles(vars);
        return requireFiles(
          [f.ca, f.caKey, f.apiserverCert, f.apiserverKey, f.serviceAccountKey, f.serviceAccountPublicKey, f.kubeletClientCert, f.kubeletClientKey, f.etcdCa, f.etcdClientCert, f.etcdClientKey, f.tokenCsv, f.controllerManagerKubeconfig, f.schedulerKubeconfig, f.adminCert, f.adminKey, f.frontProxyCa, f.frontProxyClientCert, f.frontProxyClientKey],
          "they come from the PKI: run playbooks/pki.ts (site.ts runs it before kube-master)",
        );
      },
    },
    // A new version runs only once each component restarted.
    installFromBundleTask("kubernetes", { name: "install the master programs from the bundle", names: PROGRAMS, restarts: Object.values(RESTART) }),
    {
      // Before a unit uses it: a bundle filled for another version must not start.
      name: "check the programs are the asked version",
      action: ({ vars }) => programVersionCheck(`${vars.bin_dir}/kube-apiserver`, vars.kube_version),
    },
    {
      name: "write the secrets encryption configuration",
      when: ({ vars }) => vars.kube_encrypt_secrets,
      action: ({ vars }) => encryptionConfigFile(vars),
      notify: [RESTART["kube-apiserver"]],
    },
    {
      name: "create the audit log folder",
      when: ({ vars }) => vars.kube_audit_log,
      action: ({ vars }) => file({ path: vars.kube_audit_log_path.replace(/\/[^/]*$/, "") || "/", state: "directory", mode: "0700" }),
    },
    {
      name: "write the audit policy",
      when: ({ vars }) => vars.kube_audit_log && kubeHas("auditPolicy", vars.kube_version),
      action: ({ vars, host, inventory }) =>
        template({
          src: `${here}/templates/audit-policy.yaml.hbs`,
          dest: flagContext(host, vars, inventory).auditPolicyFile,
          mode: "0644",
          vars: { api_version: kubeHas("auditV1", vars.kube_version) ? "audit.k8s.io/v1" : "audit.k8s.io/v1beta1" },
        }),
      notify: [RESTART["kube-apiserver"]],
    },
    ...COMPONENTS.map((component) => ({
      name: `write the ${component.name} unit`,
      action: ({ vars, host, inventory }: { vars: Vars; host: string; inventory: InventoryView }) =>
        componentUnit({ templates: `${here}/templates`, name: component.name, vars: { description: component.description, exec_start: componentExecStart(component, vars, flagContext(host, vars, inventory)) } }),
      notify: [RESTART[component.name]],
    })),
    {
      name: "start kube-apiserver",
      action: () => systemd({ name: "kube-apiserver", state: "started", enabled: true }),
      register: "kube_apiserver_start",
    },
    {
      // Before the handlers: a controller-manager or scheduler restart must find it answering.
      name: "wait until the apiserver this run started is ready",
      when: ({ results }) => results["kube_apiserver_start"]?.changed === true,
      action: ({ vars, host, inventory }) => apiserverReady(vars, host, inventory, "start"),
    },
    // A changed unit or program restarts now, not at the play's end: the components after this
    // one must find the apiserver running its new configuration (a new listen address, say). The
    // handlers run in the order below, so every apiserver restarted is ready again before the
    // controller-manager and the scheduler restart.
    flushHandlers,
    {
      name: "wait until the apiserver is ready",
      action: ({ vars, host, inventory }) => apiserverReady(vars, host, inventory, "start"),
    },
    {
      name: "start kube-controller-manager",
      action: () => systemd({ name: "kube-controller-manager", state: "started", enabled: true }),
      register: "kube_controller_manager_start",
    },
    {
      name: "start kube-scheduler",
      action: () => systemd({ name: "kube-scheduler", state: "started", enabled: true }),
      register: "kube_scheduler_start",
    },
    {
      name: "wait until the controller-manager and the scheduler are healthy",
      action: ({ vars }) => [componentHealthy("kube-controller-manager", vars), componentHealthy("kube-scheduler", vars)],
    },
    {
      name: "allow kubelets to bootstrap (ClusterRoleBindings)",
      runOnce: true,
      action: ({ vars }) =>
        kubeObjects({
          manifests: bootstrapBindings(vars),
          source: "kube-master bootstrap bindings",
          api: { pkiDir: pkiDirOf(vars), port: vars.kube_apiserver_port },
          apiStartedByRun: true,
        }),
    },
  ],
  // One master at a time (throttle 1), each healthy again before the next, so the API keeps
  // answering; not for a component this run just started (it already runs the new configuration).
  handlers: [
    restartHandler<Vars>({ name: RESTART["kube-apiserver"], service: "kube-apiserver", startedBy: "kube_apiserver_start", throttle: 1, after: ({ vars, host, inventory }) => [apiserverReady(vars, host, inventory, "restart")] }),
    restartHandler<Vars>({ name: RESTART["kube-controller-manager"], service: "kube-controller-manager", startedBy: "kube_controller_manager_start", throttle: 1, after: ({ vars }) => [componentHealthy("kube-controller-manager", vars)] }),
    restartHandler<Vars>({ name: RESTART["kube-scheduler"], service: "kube-scheduler", startedBy: "kube_scheduler_start", throttle: 1, after: ({ vars }) => [componentHealthy("kube-scheduler", vars)] }),
  ],
});

export default kubeMasterRole;
