/**
 * The guide's PKI (steps 2 and 5): `pki` makes the CA, the kubernetes, kube-proxy and admin
 * certificates, the bootstrap token and the three kubeconfigs on the control machine, in-process;
 * `pki-distribute` puts on each host only the files its groups use.
 */
import { join } from "node:path";
import { copy, defineRole, file, type InventoryView, type VarsOf } from "easy-kube";
import {
  bootstrapToken,
  certificate,
  certificateAuthority,
  CLUSTER_CERTIFICATES,
  clusterCertificateProfiles,
  kubeconfig,
  pkiFilesFor,
  pkiFolder,
  type PkiSettings,
} from "easy-kube/pki";
import { pkiDefaults } from "./defaults.ts";

type PkiVars = VarsOf<typeof pkiDefaults> & { inventory_dir?: string };

export function pkiDir(vars: PkiVars): string {
  // Hidden, because Ansible and easy-kube both read every other folder in an inventory folder.
  return vars.pki_dir || join(String(vars.inventory_dir), ".pki");
}

function settings(vars: PkiVars): PkiSettings {
  return {
    keyBits: vars.pki_key_bits,
    caValidityDays: vars.pki_ca_validity_days,
    certValidityDays: vars.pki_cert_validity_days,
    subject: { country: vars.pki_country, state: vars.pki_state, locality: vars.pki_locality, organization: vars.pki_organization, organizationalUnit: vars.pki_organizational_unit },
    serviceCidr: vars.kube_service_cidr,
    clusterDomain: vars.kube_cluster_domain,
    extraSans: vars.pki_extra_sans,
  };
}

/** Masters and etcd members, with their addresses, in inventory order. */
function servers(inventory: InventoryView): { name: string; address?: string }[] {
  const names = [...new Set([...inventory.groupHosts("kube_master"), ...inventory.groupHosts("etcd")])];
  return names.map((name) => ({ name, address: inventory.hostVars(name)["ansible_host"] as string | undefined }));
}

function apiserverUrl(vars: PkiVars, inventory: InventoryView): string {
  if (vars.pki_apiserver_url) return vars.pki_apiserver_url;
  const master = inventory.groupHosts("kube_master")[0]!;
  const address = String(inventory.hostVars(master)["ansible_host"] ?? master);
  return `https://${address.includes(":") ? `[${address}]` : address}:${vars.kube_apiserver_port}`;
}

const KUBECONFIGS = [
  { file: "bootstrap.kubeconfig", user: "kubelet-bootstrap", credentials: "bootstrap-token" as const },
  { file: "kube-proxy.kubeconfig", user: "kube-proxy", credentials: { certificate: "kube-proxy" } },
  { file: "kubeconfig", user: "admin", credentials: { certificate: "admin" } },
];

export const pkiRole = defineRole({
  name: "pki",
  schema: pkiDefaults,
  checks: [
    ({ inventory }) => (inventory.groupHosts("kube_master").length === 0 ? ["the inventory has no kube_master host: the kubeconfigs need an apiserver (or set pki_apiserver_url)"] : []),
  ],
  tasks: [
    { name: "pki folder", runOnce: true, action: ({ vars }) => pkiFolder(pkiDir(vars)) },
    {
      name: "certificate authority",
      runOnce: true,
      action: ({ vars }) =>
        certificateAuthority({
          dir: pkiDir(vars),
          force: vars.pki_renew.includes("ca"),
          profile: { subject: { ...settings(vars).subject, commonName: "kubernetes" }, validityDays: vars.pki_ca_validity_days, keyBits: vars.pki_key_bits },
        }),
    },
    {
      name: "certificates",
      runOnce: true,
      loop: () => CLUSTER_CERTIFICATES,
      action: ({ vars, item, inventory }) =>
        certificate({
          dir: pkiDir(vars),
          name: item,
          profile: clusterCertificateProfiles({ servers: servers(inventory) }, settings(vars))[item as (typeof CLUSTER_CERTIFICATES)[number]],
          renewBeforeDays: vars.pki_renew_before_days,
          force: vars.pki_renew.includes(item),
        }),
    },
    { name: "bootstrap token", runOnce: true, action: ({ vars }) => bootstrapToken(pkiDir(vars), vars.pki_renew.includes("token")) },
    {
      name: "kubeconfigs",
      runOnce: true,
      loop: () => KUBECONFIGS,
      loopLabel: (item: (typeof KUBECONFIGS)[number]) => item.file,
      action: ({ vars, item, inventory }) => kubeconfig({ dir: pkiDir(vars), server: apiserverUrl(vars, inventory), ...item }),
    },
  ],
});

export const pkiDistributeRole = defineRole({
  name: "pki-distribute",
  schema: pkiDefaults,
  tasks: [
    {
      name: "folders",
      loop: ({ vars }) => [vars.pki_remote_ssl_dir, vars.kube_config_dir, ...((vars.group_names as string[]).includes("kube_master") ? ["/root/.kube"] : [])],
      action: ({ item }) => file({ path: item, state: "directory", mode: "0755", owner: "root", group: "root" }),
    },
    {
      name: "files",
      loop: ({ vars }) => pkiFilesFor(vars.group_names as string[], vars.pki_remote_ssl_dir, vars.kube_config_dir),
      loopLabel: (item: { dest: string }) => item.dest,
      action: ({ vars, item }) =>
        copy({ src: join(pkiDir(vars), item.name), srcMadeByRun: true, dest: item.dest, mode: item.secret ? "0600" : "0644", owner: "root", group: "root", secret: item.secret }),
    },
  ],
});
