/**
 * The node-local apiserver proxy production installers run when there are several masters and no
 * external load balancer: haproxy on every node, listening on 127.0.0.1 only, balancing TCP (TLS
 * passes through) over every master's apiserver, each taken out while its readiness check fails.
 * kubelet and kube-proxy dial it (the PKI writes its address into their kubeconfigs), so a master
 * going down costs no node its API. Master-only hosts get none: their components and root's
 * kubectl dial their own apiserver. Does nothing where easy-kube/pki's apiserverAccess says nodes
 * dial the apiserver directly (one master, or pki_apiserver_url).
 */
import { defineRole, flushHandlers, onlyOnGroup, packages, restartHandler, systemd, template, waitFor, type InventoryView, type TaskContext, type VarsOf } from "easy-kube";
import { apiserverAccess, apiserverAccessProblems, apiserverReadinessPath, httpsUrl } from "easy-kube/pki";
import { apiserverProxyDefaults } from "./defaults.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof apiserverProxyDefaults>;

const RELOAD = "reload haproxy";
const SERVICE = "haproxy";
/** What every proxy must agree on with the masters: the masters' shutdown delay and rolling restarts are computed from it. */
const SHARED_SETTINGS = ["kube_version", "kube_apiserver_local_proxy", "pki_apiserver_url", "apiserver_proxy_check_interval", "apiserver_proxy_check_fall", "apiserver_proxy_check_rise"] as const;

function localProxy(vars: Vars, inventory: InventoryView) {
  return apiserverAccess(vars, inventory).localProxy;
}

const proxied = ({ vars, inventory }: TaskContext<Vars>) => localProxy(vars, inventory) !== undefined;

/** host:port as haproxy's server lines take them (an IPv6 address in brackets; the port always written). */
function endpoint(address: string, port: number): string {
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

export function haproxyConfigVars(vars: Vars, inventory: InventoryView): Record<string, unknown> {
  const proxy = localProxy(vars, inventory)!;
  return {
    port: proxy.port,
    maxconn: vars.apiserver_proxy_maxconn,
    timeout: vars.apiserver_proxy_timeout,
    health_path: apiserverReadinessPath(vars.kube_version),
    ca_file: `${vars.pki_remote_ssl_dir}/ca.pem`,
    interval: vars.apiserver_proxy_check_interval,
    fall: vars.apiserver_proxy_check_fall,
    rise: vars.apiserver_proxy_check_rise,
    backends: proxy.backends.map((b) => ({ name: b.name, endpoint: endpoint(b.address, b.port) })),
  };
}

export const apiserverProxyRole = defineRole({
  name: "apiserver-proxy",
  dir: here,
  schema: apiserverProxyDefaults,
  checks: [
    onlyOnGroup("kube_node"),
    ({ hosts, vars, inventory }) => [...new Set(hosts.flatMap((h) => apiserverAccessProblems(vars(h) as Vars, inventory)))],
    ({ hosts, vars }) => {
      // The masters time their restarts by these (the masters among the nodes are compared here too):
      // a node whose proxy checks differently could be left without an apiserver.
      return SHARED_SETTINGS.flatMap((name) => {
        const values = new Map(hosts.map((h) => [h, JSON.stringify((vars(h) as Record<string, unknown>)[name])]));
        const distinct = [...new Set(values.values())];
        return distinct.length > 1 ? [`${name} differs between hosts (${[...values].map(([h, v]) => `${h}: ${v}`).join(", ")}): the masters and every node's proxy must agree on it`] : [];
      });
    },
  ],
  tasks: [
    {
      name: "install haproxy",
      when: proxied,
      action: ({ vars }) => packages({ names: vars.apiserver_proxy_packages, updateCache: true }),
    },
    {
      name: "write haproxy's configuration",
      when: proxied,
      action: ({ vars, inventory }) =>
        template({ src: `${here}/templates/haproxy.cfg.hbs`, dest: vars.apiserver_proxy_config, mode: "0644", vars: haproxyConfigVars(vars, inventory), validate: "haproxy -c -q -f %s" }),
      notify: [RELOAD],
    },
    {
      name: "start haproxy",
      when: proxied,
      action: () => systemd({ name: SERVICE, state: "started", enabled: true }),
      register: "apiserver_proxy_start",
    },
    flushHandlers,
    {
      // The readiness endpoints are public (system:public-info-viewer); the CA check proves an apiserver answered.
      name: "wait until the API answers through the proxy",
      when: proxied,
      action: ({ vars, inventory }) =>
        waitFor({ url: `${httpsUrl("127.0.0.1", localProxy(vars, inventory)!.port)}${apiserverReadinessPath(vars.kube_version)}`, curlOptions: ["--cacert", `${vars.pki_remote_ssl_dir}/ca.pem`], timeoutSeconds: 60 }),
    },
  ],
  // A reload keeps open connections (kubelet's watches) on the old process until they end.
  handlers: [restartHandler<Vars>({ name: RELOAD, service: SERVICE, state: "reloaded", startedBy: "apiserver_proxy_start" })],
});

export default apiserverProxyRole;
