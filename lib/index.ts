/**
 * easy-kube's public API: what roles and playbooks import (`import { defineRole, ops } from
 * "easy-kube"`). A role folder copied into another repository keeps working as long as that
 * repository depends on this package.
 */
export * as ops from "./ops/index.js";
export * from "./ops/index.js";
export type { Operation, Plan, Target, FileDiff, ApplyOutcome } from "./ops/operation.js";
export { OperationFailed } from "./ops/operation.js";
export { renderTemplate } from "./ops/render-template.js";
export { adminCredentials, kubeconfigAccess, type KubeCredentials } from "./kube/credentials.js";
export { KubeApiClient, KubeApiError, KubeApiUnreachable } from "./kube/api-client.js";
export { MissingCredentials } from "./kube/credentials.js";
export { directEndpoint, tunnelEndpoint, type KubeEndpoint } from "./kube/endpoint.js";
export { adminEndpoint, type AdminApiAccess } from "./kube/admin-endpoint.js";
export { parseManifests, type KubeManifest, type KubeObject } from "./kube/manifests.js";
export { defineFact, type Fact } from "./facts/fact.js";
export type { HostFacts } from "./facts/host-facts.js";
export { v, defineSchema, type Schema, type VarsOf, type VarSpec } from "./vars/schema.js";
export {
  defineRole,
  definePlaybook,
  flushHandlers,
  type Role,
  type Play,
  type Playbook,
  type Task,
  type TaskContext,
  type TaskOutcome,
  type InventoryView,
  type RoleCheck,
} from "./runner/types.js";
export { runPlaybook, type RunOptions, type RunSummary } from "./runner/run-playbook.js";
export { restartHandler, restartThrottleVar, type RestartHandlerArgs } from "./runner/restart-handler.js";
export { onlyOnGroup } from "./runner/group-check.js";
export { ValidationError } from "./runner/prepare-run.js";
export { runPlaybookCli, isMainModule } from "./cli/playbook-cli.js";
export { loadInventory } from "./inventory/load.js";
export type { Inventory } from "./inventory/inventory.js";
export type { Vars } from "./inventory/model.js";
export { shellQuote, shellCommand } from "./connection/quote.js";
export { renderFlags, rowsFor, rowAppliesTo, execStartLines, systemdWord, extraFlagValue, extraFlagProblem, parseKubeVersion, type FlagRow, type FlagTable, type FlagValue } from "./kube/flag-table.js";
export { knownKubeVersion, programVersionCheck } from "./kube/version-checks.js";
export { EasyKubeError, InputError } from "./errors.js";
export { KUBE_VERSION_FACTS, kubeHas, type KubeVersionFact, type VersionRange } from "./kube/version-facts.js";
export { CONTAINER_RUNTIMES, containerRuntimeVar, containerRuntime, containerRuntimeProblem, type ContainerRuntime } from "./kube/container-runtime.js";
export { roleForHostsWhere } from "./runner/role-for-hosts-where.js";
export { waitUntilReady, type ReadinessTarget } from "./kube/wait-ready.js";
export { componentFlags, componentExecStart, componentUnit, extraFlagProblems, type FlagComponent } from "./kube/component-command.js";
export { readiness, WAITABLE_KINDS, type Readiness } from "./kube/readiness.js";
export { cidrContains, cidrsOverlap, firstAddressOf, ipv4Network, ipv4Text, ipv4Value, networkContains, type Ipv4Network } from "./util/ipv4.js";
