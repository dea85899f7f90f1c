/** What the flag tables read besides the role's variables: derived from the inventory, the same for tests and tasks. */
import type { FlagTable, InventoryView, VarsOf } from "easy-kube";
import { apiserverAccess, masterAddress } from "easy-kube/pki";
import { proxyDrainSeconds } from "../apiserver-proxy/timing.ts";
import { etcdDefaults } from "../etcd/defaults.ts";
import { clientEndpoints } from "../etcd/members.ts";
import type { kubeMasterDefaults } from "./defaults.ts";
import { masterFiles, type MasterFiles } from "./files.ts";

export type KubeMasterVars = VarsOf<typeof kubeMasterDefaults>;

export interface FlagContext {
  readonly files: MasterFiles;
  /** This master's listen and advertise address. */
  readonly address: string;
  readonly etcdServers: string;
  readonly masterCount: number;
  readonly auditPolicyFile: string;
  /** Seconds a stopping apiserver keeps serving while not ready, so the nodes' local proxies take it out first; undefined without them. */
  readonly shutdownDelaySeconds: number | undefined;
  /** This master is also a node: kube-proxy there gives it the Service IPs. */
  readonly runsKubeProxy: boolean;
}

export function flagContext(host: string, vars: KubeMasterVars & { ansible_host?: unknown }, inventory: InventoryView): FlagContext {
  // etcd hosts' ports are theirs: read through the etcd schema's defaults, not a second default here.
  const etcdView: InventoryView = { ...inventory, hostVars: (h) => ({ etcd_client_port: etcdDefaults.etcd_client_port.default, ...inventory.hostVars(h) }) };
  return {
    files: masterFiles(vars),
    address: masterAddress(host, vars),
    etcdServers: clientEndpoints(etcdView),
    masterCount: inventory.groupHosts("kube_master").length,
    auditPolicyFile: `${vars.kube_config_dir}/audit-policy.yaml`,
    shutdownDelaySeconds: apiserverAccess(vars, inventory).localProxy ? proxyDrainSeconds(vars) : undefined,
    runsKubeProxy: inventory.groupHosts("kube_node").includes(host),
  };
}

/**
 * TLS hardening rows every master component shares, from the version its TLS server takes them
 * (the apiserver 1.10, kubernetes#58528; the controller-manager's and scheduler's secure serving,
 * 1.12 and 1.13), and --profiling, which every version has.
 */
export function hardeningFlags(tlsSince: string): FlagTable<KubeMasterVars, FlagContext> {
  return [
    { flag: "tls-min-version", since: tlsSince, value: (v) => v.kube_tls_min_version },
    { flag: "tls-cipher-suites", since: tlsSince, value: (v) => (v.kube_tls_cipher_suites.length > 0 ? v.kube_tls_cipher_suites.join(",") : undefined) },
    { flag: "profiling", value: (v) => String(v.kube_profiling) },
  ];
}
