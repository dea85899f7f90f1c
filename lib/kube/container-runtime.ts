/**
 * Which container runtime a node runs: Docker (the guide's, through kubelet's dockershim) below
 * 1.24, containerd from 1.24, where dockershim is gone. One variable, read by the bundle (what a
 * node's programs are), the runtime stage (which role runs) and kube-node (kubelet's endpoint).
 */
import { v } from "../vars/schema.js";
import { kubeHas } from "./version-facts.js";

export const CONTAINER_RUNTIMES = ["docker", "containerd"] as const;
export type ContainerRuntime = (typeof CONTAINER_RUNTIMES)[number];

export const containerRuntimeVar = v.oneOf(
  ["auto", ...CONTAINER_RUNTIMES],
  "auto",
  "The nodes' container runtime: docker (the guide's; kubelet's dockershim, before 1.24) or containerd; auto: docker below Kubernetes 1.24, containerd from 1.24.",
);

export function containerRuntime(vars: { readonly container_runtime: string; readonly kube_version: string }): ContainerRuntime {
  if (vars.container_runtime === "docker" || vars.container_runtime === "containerd") return vars.container_runtime;
  return kubeHas("dockershim", vars.kube_version) ? "docker" : "containerd";
}

/** Why the runtime cannot serve this version's kubelet, or undefined. */
export function containerRuntimeProblem(vars: { readonly container_runtime: string; readonly kube_version: string }): string | undefined {
  const runtime = containerRuntime(vars);
  if (runtime === "docker" && !kubeHas("dockershim", vars.kube_version)) {
    return `container_runtime docker: kubelet ${vars.kube_version} has no dockershim (removed in 1.24); use containerd`;
  }
  // The roles point kubelet at a remote runtime only where dockershim is gone.
  if (runtime === "containerd" && kubeHas("dockershim", vars.kube_version)) {
    return `container_runtime containerd: the roles run kubelet ${vars.kube_version} with its dockershim (Docker); containerd is supported from Kubernetes 1.24`;
  }
  return undefined;
}
