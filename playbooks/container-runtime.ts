/**
 * The container runtime on every node (step 6 of the guide, its first half): Docker or containerd,
 * as each node's container_runtime says (auto: Docker below Kubernetes 1.24, containerd from 1.24).
 * A runtime kubelet cannot use (Docker from 1.24) is refused before any host is touched.
 * `npx tsx playbooks/container-runtime.ts -i INVENTORY [--check --diff]`
 */
import { containerRuntime, containerRuntimeProblem, containerRuntimeVar, defineRole, definePlaybook, isMainModule, roleForHostsWhere, runPlaybookCli } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { containerdRole } from "../roles/containerd/index.ts";
import { dockerRole } from "../roles/docker-ce/index.ts";

type RuntimeVars = { container_runtime: string; kube_version: string };
/** What chooses a node's runtime, with its defaults. */
const RUNTIME_VARS = { container_runtime: containerRuntimeVar, kube_version: bundleVars.kube_version };
const runs = (runtime: string, role: Parameters<typeof roleForHostsWhere>[2]) => roleForHostsWhere(RUNTIME_VARS, (vars) => containerRuntime(vars) === runtime, role);

/** Refuses, before any connection, a runtime the nodes' kubelet cannot use. */
const runtimeChoice = defineRole({
  name: "container-runtime",
  schema: RUNTIME_VARS,
  tasks: [],
  checks: [({ hosts, vars }) => [...new Set(hosts.flatMap((h) => containerRuntimeProblem(vars(h) as RuntimeVars) ?? []))]],
});

export const containerRuntimePlaybook = definePlaybook({
  name: "container-runtime",
  plays: [
    {
      name: "container runtime on the nodes",
      hosts: "kube_node",
      become: true,
      tags: ["container-runtime"],
      roles: [runtimeChoice, runs("docker", dockerRole), runs("containerd", containerdRole)],
    },
  ],
});

if (isMainModule(import.meta)) await runPlaybookCli(containerRuntimePlaybook);
