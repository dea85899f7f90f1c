/** Who the members are and how to reach them, from the inventory (the same for every host). */
import type { InventoryView, Vars } from "easy-kube";
import { ETCD_CLIENT_FILES } from "easy-kube/pki";

export function memberName(host: string, vars: Vars): string {
  return String(vars["etcd_name"] || host);
}

export function memberAddress(host: string, vars: Vars): string {
  return String(vars["etcd_address"] || vars["ansible_host"] || host);
}

export function clientPort(vars: Vars): number {
  return Number(vars["etcd_client_port"] ?? 2379);
}

/** name=https://address:peer_port for every member: --initial-cluster. */
export function initialCluster(inventory: InventoryView): string {
  return inventory
    .groupHosts("etcd")
    .map((h) => {
      const vars = inventory.hostVars(h);
      return `${memberName(h, vars)}=https://${memberAddress(h, vars)}:${Number(vars["etcd_peer_port"] ?? 2380)}`;
    })
    .join(",");
}

export function clientEndpoints(inventory: InventoryView): string {
  return inventory
    .groupHosts("etcd")
    .map((h) => {
      const vars = inventory.hostVars(h);
      return `https://${memberAddress(h, vars)}:${clientPort(vars)}`;
    })
    .join(",");
}

/** etcdctl (API v3, which 3.2 must be told) with the etcd client identity. */
export function etcdctl(vars: { bin: string; etcd_ssl_dir: string }, endpoints: string, args: string): string {
  const ssl = vars.etcd_ssl_dir;
  const files = ETCD_CLIENT_FILES;
  return `ETCDCTL_API=3 ${vars.bin}/etcdctl --endpoints=${endpoints} --cacert=${ssl}/${files.ca} --cert=${ssl}/${files.cert} --key=${ssl}/${files.key} --command-timeout=5s ${args}`;
}
