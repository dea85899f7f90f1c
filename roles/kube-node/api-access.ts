/**
 * The Kubernetes API as a node's tasks reach it: through the node's own SSH connection to the
 * apiserver address its kubeconfigs name (easy-kube/pki's apiserverAccess: a load balancer, the
 * first master, or the node's local proxy), with the PKI's admin identity. The control machine
 * needs no route to port 6443.
 */
import { adminEndpoint, KubeApiClient, type InventoryView, type Target } from "easy-kube";
import { apiserverAccess, pkiDirOf, urlHostPort } from "easy-kube/pki";
import type { KubeNodeVars } from "./node-context.ts";

/** The apiserver's host and port, as the PKI writes them into bootstrap.kubeconfig. */
export function apiserverAddress(vars: KubeNodeVars, inventory: InventoryView): { host: string; port: number } {
  return urlHostPort(apiserverAccess(vars, inventory).nodeServer);
}

export function nodeApiClient(target: Target, vars: KubeNodeVars & { inventory_dir?: unknown }, inventory: InventoryView): KubeApiClient {
  const { host, port } = apiserverAddress(vars, inventory);
  return new KubeApiClient(adminEndpoint(target.connection, { pkiDir: pkiDirOf(vars), port, address: host }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
