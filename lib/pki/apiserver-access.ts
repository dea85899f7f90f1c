/**
 * How every client reaches the Kubernetes API server, decided once for the whole inventory:
 * - `pki_apiserver_url` given (a load balancer, a VIP): everyone dials it;
 * - one master: everyone dials that master's address;
 * - several masters and no URL: every node runs a proxy of its own on 127.0.0.1
 *   (roles/apiserver-proxy) balancing to every master's apiserver, and kubelet and kube-proxy dial
 *   it, so losing one master loses no node (master-only hosts dial their own apiserver). The control machine has no such proxy: the
 *   administrator's kubeconfig names the first master.
 * The PKI writes these into the kubeconfigs; the roles that reach the API from a host use the same.
 */
import { EasyKubeError } from "../errors.js";
import { kubeHas } from "../kube/version-facts.js";

export interface ApiserverAccessVars {
  readonly pki_apiserver_url: string;
  readonly kube_apiserver_port: number;
  readonly kube_apiserver_local_proxy: "auto" | "on" | "off";
  readonly kube_apiserver_local_proxy_port: number;
}

/** The part of an inventory this needs (structurally the runner's InventoryView). */
export interface MastersView {
  groupHosts(group: string): readonly string[];
  hostVars(host: string): Record<string, unknown>;
}

export interface ApiserverBackend {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface ApiserverAccess {
  /** What kubelet and kube-proxy dial (their kubeconfigs' server), the same URL on every host. */
  readonly nodeServer: string;
  /** What the administrator's kubeconfig names, dialled from the control machine. */
  readonly adminServer: string;
  /** Set when every node runs the local proxy: where it listens and the apiservers behind it. */
  readonly localProxy?: { readonly port: number; readonly backends: readonly ApiserverBackend[] };
}

/** Where a master's apiserver listens and advertises: kube_apiserver_address, else ansible_host, else its name. */
export function masterAddress(host: string, vars: { kube_apiserver_address?: unknown; ansible_host?: unknown }): string {
  return String(vars.kube_apiserver_address || vars.ansible_host || host);
}

/**
 * What says an apiserver may take traffic: /readyz from 1.16 (it turns failing when a shutdown
 * starts), /healthz before. The role's own waits and the local proxies' checks must ask the same.
 */
export function apiserverReadinessPath(kubeVersion: string): string {
  return kubeHas("apiserverReadyz", kubeVersion) ? "/readyz" : "/healthz";
}

export function httpsUrl(address: string, port: number): string {
  return `https://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** A URL's host (brackets of an IPv6 literal removed) and port. */
export function urlHostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(parsed.port || 443) };
}

/** auto: on when there are several masters and no load balancer URL. */
function localProxyWanted(vars: ApiserverAccessVars, masterCount: number): boolean {
  return vars.kube_apiserver_local_proxy === "on" || (vars.kube_apiserver_local_proxy === "auto" && !vars.pki_apiserver_url && masterCount > 1);
}

export function apiserverAccess(vars: ApiserverAccessVars, inventory: MastersView): ApiserverAccess {
  const masters = inventory.groupHosts("kube_master");
  const backends = masters.map((name) => ({ name, address: masterAddress(name, inventory.hostVars(name)), port: vars.kube_apiserver_port }));
  // The control machine dials a master where it connects to it (ansible_host), which may differ
  // from the address the apiserver advertises inside the cluster (kube_apiserver_address).
  const first = masters[0];
  const adminDirect = first === undefined ? "" : httpsUrl(String(inventory.hostVars(first)["ansible_host"] ?? first), vars.kube_apiserver_port);
  if (localProxyWanted(vars, masters.length)) {
    if (masters.length === 0) throw new EasyKubeError("kube_apiserver_local_proxy: the inventory has no kube_master host to balance to");
    return {
      nodeServer: httpsUrl("127.0.0.1", vars.kube_apiserver_local_proxy_port),
      adminServer: vars.pki_apiserver_url || adminDirect,
      localProxy: { port: vars.kube_apiserver_local_proxy_port, backends },
    };
  }
  if (vars.pki_apiserver_url) return { nodeServer: vars.pki_apiserver_url, adminServer: vars.pki_apiserver_url };
  if (masters.length === 0) throw new EasyKubeError("the inventory has no kube_master host: the kubeconfigs need an apiserver (or set pki_apiserver_url)");
  return { nodeServer: httpsUrl(backends[0]!.address, backends[0]!.port), adminServer: adminDirect };
}

/**
 * Problems with the access variables, for a role's checks (before any host is touched): the proxy
 * listens beside the apiserver on masters that are nodes, so the two ports must differ.
 */
export function apiserverAccessProblems(vars: ApiserverAccessVars, inventory: MastersView): string[] {
  const problems: string[] = [];
  if (vars.pki_apiserver_url) {
    let url: URL | undefined;
    try {
      url = new URL(vars.pki_apiserver_url);
    } catch {
      problems.push(`pki_apiserver_url '${vars.pki_apiserver_url}' is not a URL such as https://10.0.0.10:6443`);
    }
    if (url && url.protocol !== "https:") problems.push(`pki_apiserver_url '${vars.pki_apiserver_url}' must be an https:// URL: the apiserver serves TLS only`);
  }
  const masters = inventory.groupHosts("kube_master").length;
  if (localProxyWanted(vars, masters) && vars.kube_apiserver_local_proxy_port === vars.kube_apiserver_port) {
    problems.push(`kube_apiserver_local_proxy_port ${vars.kube_apiserver_local_proxy_port} is kube_apiserver_port too: the local proxy runs beside the apiserver on masters, give it another port`);
  }
  if (vars.kube_apiserver_local_proxy === "on" && masters === 0) {
    problems.push("kube_apiserver_local_proxy is on but the inventory has no kube_master host to balance to");
  }
  return problems;
}
