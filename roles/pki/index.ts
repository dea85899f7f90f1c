/**
 * The cluster's PKI (the guide's steps 2 and 5, and what kube-master needs): `pki` makes the
 * cluster CA and the etcd CA, the certificates each signs, the service account key pair, the
 * bootstrap token and the kubeconfigs on the control machine, in-process; `pki-distribute` checks
 * that each host's CAs are the folder's, then puts on it only the files its groups use.
 */
import { join } from "node:path";
import { copy, defineRole, file, type InventoryView, type VarsOf } from "easy-kube";
import {
  ADMIN_LOCAL_KUBECONFIG,
  apiserverAccess,
  apiserverAccessProblems,
  AUTHORITIES,
  authorityProfile,
  bootstrapToken,
  certificate,
  certificateAuthority,
  CLUSTER_CERTIFICATES,
  clusterCertificateProfiles,
  KUBE_MASTER_FILES,
  kubeconfig,
  masterAddress,
  pkiFilesFor,
  pkiDirOf,
  pkiFolder,
  sameCertificateAuthority,
  secretsEncryptionKey,
  serviceAccountKeys,
  type Authority,
  type ClusterCertificate,
  type PkiHosts,
  type PkiSettings,
  type ServerHost,
} from "easy-kube/pki";
import { pkiDefaults } from "./defaults.ts";

type PkiVars = VarsOf<typeof pkiDefaults> & { inventory_dir?: string };


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

/** Masters and etcd members with the addresses they are reached at, in inventory order. */
function pkiHosts(inventory: InventoryView): PkiHosts {
  const server = (name: string, addressVars: readonly string[], more: readonly string[] = []): ServerHost => {
    const vars = inventory.hostVars(name);
    const named = addressVars.map((v) => vars[v]).filter((a): a is string | number => typeof a === "string" || typeof a === "number").map(String);
    return { name, addresses: [...new Set([...named, ...more])] };
  };
  return {
    // The address each apiserver advertises (kube-master's kube_apiserver_address) is dialled too.
    masters: inventory.groupHosts("kube_master").map((h) => server(h, ["ansible_host"], [masterAddress(h, inventory.hostVars(h))])),
    // etcd_address (the etcd role's) is where peers and clients dial a member: it must be named.
    etcd: inventory.groupHosts("etcd").map((h) => server(h, ["ansible_host", "etcd_address"])),
  };
}

function serverFor(dialledBy: KubeconfigSpec["dialledBy"], vars: PkiVars, inventory: InventoryView): string {
  if (dialledBy === "master") return `https://127.0.0.1:${vars.kube_apiserver_port}`;
  const access = apiserverAccess(vars, inventory);
  return dialledBy === "node" ? access.nodeServer : access.adminServer;
}

interface KubeconfigSpec {
  readonly file: string;
  readonly user: string;
  readonly credentials: { readonly certificate: ClusterCertificate } | "bootstrap-token";
  /**
   * Who dials with it: a node's kubelet or kube-proxy (the address every node uses), a master's own
   * component (its own apiserver on 127.0.0.1, which the kubernetes certificate names), or the
   * administrator from the control machine.
   */
  readonly dialledBy: "node" | "master" | "admin";
}

const KUBECONFIGS: readonly KubeconfigSpec[] = [
  { file: "bootstrap.kubeconfig", user: "kubelet-bootstrap", credentials: "bootstrap-token", dialledBy: "node" },
  { file: "kube-proxy.kubeconfig", user: "kube-proxy", credentials: { certificate: "kube-proxy" }, dialledBy: "node" },
  { file: KUBE_MASTER_FILES.controllerManagerKubeconfig, user: "system:kube-controller-manager", credentials: { certificate: "kube-controller-manager" }, dialledBy: "master" },
  { file: KUBE_MASTER_FILES.schedulerKubeconfig, user: "system:kube-scheduler", credentials: { certificate: "kube-scheduler" }, dialledBy: "master" },
  // The administrator's: for kubectl on the control machine, and for root on the masters (its own apiserver).
  { file: "kubeconfig", user: "admin", credentials: { certificate: "admin" }, dialledBy: "admin" },
  { file: ADMIN_LOCAL_KUBECONFIG, user: "admin", credentials: { certificate: "admin" }, dialledBy: "master" },
];

export const pkiRole = defineRole({
  name: "pki",
  schema: pkiDefaults,
  checks: [
    ({ hosts, inventory, vars }) => [
      ...new Set(
        hosts.flatMap((h) => {
          const v = vars(h) as PkiVars;
          if (inventory.groupHosts("kube_master").length === 0 && !v.pki_apiserver_url) return ["the inventory has no kube_master host: the kubeconfigs need an apiserver (or set pki_apiserver_url)"];
          return apiserverAccessProblems(v, inventory);
        }),
      ),
    ],
  ],
  tasks: [
    { name: "pki folder", runOnce: true, action: ({ vars }) => pkiFolder(pkiDirOf(vars)) },
    {
      name: "certificate authorities",
      runOnce: true,
      loop: () => AUTHORITIES,
      action: ({ vars, item }) =>
        certificateAuthority({ dir: pkiDirOf(vars), name: item, force: vars.pki_renew.includes(item as Authority), profile: authorityProfile(item as Authority, settings(vars)) }),
    },
    {
      name: "certificates",
      runOnce: true,
      loop: () => CLUSTER_CERTIFICATES,
      action: ({ vars, item, inventory }) => {
        const issued = clusterCertificateProfiles(pkiHosts(inventory), settings(vars))[item as ClusterCertificate];
        return certificate({
          dir: pkiDirOf(vars),
          name: item,
          ca: issued.ca,
          profile: issued.profile,
          renewBeforeDays: vars.pki_renew_before_days,
          force: vars.pki_renew.includes(item as ClusterCertificate),
        });
      },
    },
    { name: "service account key pair", runOnce: true, action: ({ vars }) => serviceAccountKeys(pkiDirOf(vars), vars.pki_key_bits, vars.pki_renew.includes("sa")) },
    { name: "bootstrap token", runOnce: true, action: ({ vars }) => bootstrapToken(pkiDirOf(vars), vars.pki_renew.includes("token")) },
    { name: "secrets encryption key", runOnce: true, action: ({ vars }) => secretsEncryptionKey(pkiDirOf(vars)) },
    {
      name: "kubeconfigs",
      runOnce: true,
      loop: () => KUBECONFIGS,
      loopLabel: (item: KubeconfigSpec) => item.file,
      action: ({ vars, item, inventory }) =>
        kubeconfig({
          dir: pkiDirOf(vars),
          file: item.file,
          user: item.user,
          credentials: item.credentials,
          server: serverFor(item.dialledBy, vars, inventory),
        }),
    },
  ],
});

export const pkiDistributeRole = defineRole({
  name: "pki-distribute",
  schema: pkiDefaults,
  tasks: [
    {
      // Before anything is copied: a new CA minted because the folder was missing must not replace the cluster's.
      name: "check the host's CAs are the PKI folder's",
      action: ({ vars }) =>
        sameCertificateAuthority({
          dir: pkiDirOf(vars),
          authorities: pkiFilesFor(vars.group_names as string[], vars.pki_remote_ssl_dir, vars.kube_config_dir)
            .filter((f) => AUTHORITIES.some((a) => f.name === `${a}.pem`))
            .map((f) => ({ authority: f.name.replace(/\.pem$/, "") as Authority, dest: f.dest })),
          renewing: vars.pki_renew,
        }),
    },
    {
      name: "folders",
      loop: ({ vars }) => [vars.pki_remote_ssl_dir, vars.kube_config_dir, ...((vars.group_names as string[]).includes("kube_master") ? ["/root/.kube"] : [])],
      action: ({ item }) => file({ path: item, state: "directory", mode: "0755", owner: "root", group: "root" }),
    },
    {
      name: "files",
      // The nodes' kubeconfigs wait for kube-node (DistributedFile.installedBy says why).
      loop: ({ vars }) => pkiFilesFor(vars.group_names as string[], vars.pki_remote_ssl_dir, vars.kube_config_dir).filter((f) => f.installedBy === "pki"),
      loopLabel: (item: { dest: string }) => item.dest,
      action: ({ vars, item }) =>
        copy({ src: join(pkiDirOf(vars), item.name), srcMadeByRun: true, dest: item.dest, mode: item.secret ? "0600" : "0644", owner: "root", group: "root", secret: item.secret }),
    },
  ],
});
