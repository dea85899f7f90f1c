/**
 * The node-local apiserver proxy production installers run when there are several masters and no
 * external load balancer: haproxy on every node and master, listening on 127.0.0.1 only, balancing
 * TCP (TLS passes through) over every master's apiserver, each taken out while its readiness check
 * fails. kubelet and kube-proxy dial it (the PKI writes its address into their kubeconfigs), so a
 * master going down costs no node its API. Does nothing where easy-kube/pki's apiserverAccess
 * says nodes dial the apiserver directly (one master, or pki_apiserver_url).
 */
import { defineRole, flushHandlers, packages, restartHandler, rowAppliesTo, systemd, template, waitFor, type InventoryView, type VarsOf } from "easy-kube";
import { apiserverAccess, apiserverAccessProblems, httpsUrl } from "easy-kube/pki";
import { apiserverProxyDefaults } from "./defaults.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof apiserverProxyDefaults>;

const RELOAD = "reload haproxy";
const SERVICE = "haproxy";

function localProxy(vars: Vars, inventory: InventoryView) {
  return apiserverAccess(vars, inventory).localProxy;
}

/** What the proxy asks each apiserver: /readyz from 1.16 (it turns not ready before a shutdown), /healthz before. */
function healthPath(vars: Vars): string {
  return rowAppliesTo({ since: "1.16" }, vars.kube_version) ? "/readyz" : "/healthz";
}

export function haproxyConfigVars(vars: Vars, inventory: InventoryView): Record<string, unknown> {
  const proxy = localProxy(vars, inventory)!;
  return {
    port: proxy.port,
    maxconn: vars.apiserver_proxy_maxconn,
    timeout: vars.apiserver_proxy_timeout,
    health_path: healthPath(vars),
    ca_file: `${vars.pki_remote_ssl_dir}/ca.pem`,
    interval: vars.apiserver_proxy_check_interval,
    fall: vars.apiserver_proxy_check_fall,
    rise: vars.apiserver_proxy_check_rise,
    backends: proxy.backends.map((b) => ({ name: b.name, endpoint: new URL(httpsUrl(b.address, b.port)).host })),
  };
}

export const apiserverProxyRole = defineRole({
  name: "apiserver-proxy",
  dir: here,
  schema: apiserverProxyDefaults,
  checks: [
    ({ hosts, inventory }) => {
      const cluster = new Set([...inventory.groupHosts("kube_master"), ...inventory.groupHosts("kube_node")]);
      const outside = hosts.filter((h) => !cluster.has(h));
      return outside.length > 0 ? [`runs only on hosts of the kube_master and kube_node groups; ${outside.join(", ")} are in neither`] : [];
    },
    ({ hosts, vars, inventory }) => [...new Set(hosts.flatMap((h) => apiserverAccessProblems(vars(h) as Vars, inventory)))],
  ],
  tasks: [
    {
      name: "install haproxy",
      when: ({ vars, inventory }) => localProxy(vars, inventory) !== undefined,
      action: ({ vars }) => packages({ names: vars.apiserver_proxy_packages, updateCache: true }),
    },
    {
      name: "write haproxy's configuration",
      when: ({ vars, inventory }) => localProxy(vars, inventory) !== undefined,
      action: ({ vars, inventory }) =>
        template({ src: `${here}/templates/haproxy.cfg.hbs`, dest: vars.apiserver_proxy_config, mode: "0644", vars: haproxyConfigVars(vars, inventory), validate: "haproxy -c -q -f %s" }),
      notify: [RELOAD],
    },
    {
      name: "start haproxy",
      when: ({ vars, inventory }) => localProxy(vars, inventory) !== undefined,
      action: () => systemd({ name: SERVICE, state: "started", enabled: true }),
      register: "apiserver_proxy_start",
    },
    flushHandlers,
    {
      // Anonymous /healthz is public (system:public-info-viewer); the CA check proves an apiserver answered.
      name: "wait until the API answers through the proxy",
      when: ({ vars, inventory }) => localProxy(vars, inventory) !== undefined,
      action: ({ vars, inventory }) =>
        waitFor({ url: `${httpsUrl("127.0.0.1", localProxy(vars, inventory)!.port)}/healthz`, curlOptions: ["--cacert", `${vars.pki_remote_ssl_dir}/ca.pem`], timeoutSeconds: 60 }),
    },
  ],
  // A reload keeps open connections (kubelet's watches) on the old process until they end.
  handlers: [restartHandler<Vars>({ name: RELOAD, service: SERVICE, state: "reloaded", startedBy: "apiserver_proxy_start" })],
});

export default apiserverProxyRole;
