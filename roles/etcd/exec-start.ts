/**
 * The etcd member's command line, one flag per line in the unit: TLS everywhere with the etcd CA's
 * files, client certificates required (only those the etcd CA signed: none a node holds).
 */
import type { Vars } from "easy-kube";
import { ETCD_MEMBER_FILES } from "easy-kube/pki";
import { memberAddress, memberName } from "./members.ts";

/** Where etcd and etcdctl are on the host: bin_dir from the bundle, /usr/bin from OS packages. */
export function binDir(vars: Vars): string {
  return vars["install_method"] === "packages" ? "/usr/bin" : String(vars["bin_dir"]);
}

/** With `discovery`, the URL is not on the command line: etcd reads ETCD_DISCOVERY from the unit's environment file. */
export function execStart(vars: Vars, host: string, discovery: boolean, initial: string): string {
  const address = memberAddress(host, vars);
  const ssl = String(vars["etcd_ssl_dir"]);
  const flags: [string, string | number][] = [
    ["name", memberName(host, vars)],
    ["data-dir", String(vars["etcd_data_dir"])],
    ["cert-file", `${ssl}/${ETCD_MEMBER_FILES.cert}`],
    ["key-file", `${ssl}/${ETCD_MEMBER_FILES.key}`],
    ["trusted-ca-file", `${ssl}/${ETCD_MEMBER_FILES.ca}`],
    ["client-cert-auth", "true"],
    ["peer-cert-file", `${ssl}/${ETCD_MEMBER_FILES.cert}`],
    ["peer-key-file", `${ssl}/${ETCD_MEMBER_FILES.key}`],
    ["peer-trusted-ca-file", `${ssl}/${ETCD_MEMBER_FILES.ca}`],
    ["peer-client-cert-auth", "true"],
    ["listen-peer-urls", `https://${address}:${vars["etcd_peer_port"]}`],
    ["initial-advertise-peer-urls", `https://${address}:${vars["etcd_peer_port"]}`],
    ["listen-client-urls", `https://${address}:${vars["etcd_client_port"]},https://127.0.0.1:${vars["etcd_client_port"]}`],
    ["advertise-client-urls", `https://${address}:${vars["etcd_client_port"]}`],
    ["initial-cluster-token", String(vars["etcd_cluster_token"])],
    ...(discovery ? [] : ([["initial-cluster", initial], ["initial-cluster-state", "new"]] as [string, string][])),
    ...Object.entries(vars["etcd_extra_flags"] as Record<string, string | number>),
  ];
  return [`${binDir(vars)}/etcd`, ...flags.map(([name, value]) => `--${name}=${value}`)].join(" \\\n  ");
}
