/**
 * The Kubernetes API as a node's tasks reach it: through the node's own SSH connection to the
 * apiserver address the kubeconfigs name (pki_apiserver_url, else the first master's), with the
 * PKI's admin identity. The control machine needs no route to port 6443.
 */
import { adminCredentials, KubeApiClient, tunnelEndpoint, type InventoryView, type Target } from "easy-kube";
import { pkiDirOf } from "easy-kube/pki";
import type { KubeNodeVars } from "./node-context.ts";

/** The apiserver's host and port, as the PKI writes them into bootstrap.kubeconfig. */
export function apiserverAddress(vars: KubeNodeVars, inventory: InventoryView): { host: string; port: number } {
  if (vars.pki_apiserver_url) {
    const url = new URL(vars.pki_apiserver_url);
    return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port || 443) };
  }
  const master = inventory.groupHosts("kube_master")[0]!;
  return { host: String(inventory.hostVars(master)["ansible_host"] ?? master), port: vars.kube_apiserver_port };
}

export function nodeApiClient(target: Target, vars: KubeNodeVars & { inventory_dir?: unknown }, inventory: InventoryView): KubeApiClient {
  const { host, port } = apiserverAddress(vars, inventory);
  return new KubeApiClient(tunnelEndpoint(target.connection, port, adminCredentials(pkiDirOf(vars)), host));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
