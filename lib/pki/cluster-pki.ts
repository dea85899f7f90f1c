/**
 * The cluster's certificates and who gets which file, as pure functions of the inventory. Two
 * CAs: the cluster CA (`ca`) signs what talks to the apiserver - `kubernetes` (the apiserver's
 * serving certificate: every master, 127.0.0.1, the first service IP and the in-cluster names),
 * `admin` (system:masters), `kube-proxy`, `kube-controller-manager`, `kube-scheduler` and the
 * apiserver's client identity towards the kubelets; the etcd CA (`etcd-ca`, as kubespray and
 * kubeadm do) signs only etcd's members (`etcd`) and its one client identity (`etcd-client`, for
 * the apiserver and etcdctl). etcd trusts the etcd CA alone, so no certificate a node holds (kube-proxy's,
 * a kubelet's) opens etcd. A third, the front proxy CA (`front-proxy-ca`, as kubeadm), signs only the
 * apiserver's identity towards aggregated APIs (`front-proxy-client`: metrics-server and the like
 * trust requests that carry it), so no cluster client certificate can pose as the aggregator.
 */
import { EasyKubeError } from "../errors.js";
import type { CertificateProfile, Subject } from "./certificate.js";
import { firstAddressOf, ipv4Network } from "../util/ipv4.js";

export interface PkiSettings {
  readonly keyBits: number;
  readonly caValidityDays: number;
  readonly certValidityDays: number;
  /** Subject fields shared by every certificate (C, ST, L, OU); O and CN are per certificate. */
  readonly subject: Omit<Subject, "commonName">;
  readonly serviceCidr: string;
  readonly clusterDomain: string;
  readonly extraSans: readonly string[];
}

/** A server as the inventory gives it: its inventory name and the addresses it is reached at. */
export interface ServerHost {
  readonly name: string;
  /** ansible_host, and for etcd members etcd_address: every address clients and peers may dial. */
  readonly addresses: readonly string[];
}

/** The hosts certificates must name, in inventory order. */
export interface PkiHosts {
  readonly masters: readonly ServerHost[];
  readonly etcd: readonly ServerHost[];
}

/** The authorities, by base name in the PKI folder (ca.pem/ca-key.pem, etcd-ca.pem/etcd-ca-key.pem, ...). */
export type Authority = "ca" | "etcd-ca" | "front-proxy-ca";
export const AUTHORITIES: readonly Authority[] = ["ca", "etcd-ca", "front-proxy-ca"];

export type ClusterCertificate =
  | "kubernetes"
  | "kube-proxy"
  | "admin"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kube-apiserver-kubelet-client"
  | "etcd"
  | "etcd-client"
  | "front-proxy-client";
export const CLUSTER_CERTIFICATES: readonly ClusterCertificate[] = [
  "kubernetes",
  "kube-proxy",
  "admin",
  "kube-controller-manager",
  "kube-scheduler",
  "kube-apiserver-kubelet-client",
  "etcd",
  "etcd-client",
  "front-proxy-client",
];

/**
 * What etcd members use (--cert-file/--key-file/--trusted-ca-file and the peer ones): file names
 * in the PKI folder and in pki_remote_ssl_dir on the hosts.
 */
export const ETCD_MEMBER_FILES = { ca: "etcd-ca.pem", cert: "etcd.pem", key: "etcd-key.pem" } as const;

/**
 * The etcd client identity: kube-apiserver's --etcd-cafile/--etcd-certfile/--etcd-keyfile, and
 * etcdctl's --cacert/--cert/--key. Only masters and etcd members receive it.
 */
export const ETCD_CLIENT_FILES = { ca: "etcd-ca.pem", cert: "etcd-client.pem", key: "etcd-client-key.pem" } as const;

/**
 * What kube-master uses besides the cluster CA and `kubernetes.pem`: the service account key pair
 * (apiserver --service-account-key-file=sa.pub, controller-manager
 * --service-account-private-key-file=sa.key), the apiserver's client identity towards the kubelets
 * (--kubelet-client-certificate/--kubelet-client-key), and the kubeconfigs of the controller-manager
 * and the scheduler (in kube_config_dir).
 */
export const KUBE_MASTER_FILES = {
  serviceAccountKey: "sa.key",
  serviceAccountPublicKey: "sa.pub",
  kubeletClientCert: "kube-apiserver-kubelet-client.pem",
  kubeletClientKey: "kube-apiserver-kubelet-client-key.pem",
  controllerManagerKubeconfig: "kube-controller-manager.kubeconfig",
  schedulerKubeconfig: "kube-scheduler.kubeconfig",
  // The aggregation layer: the CA aggregated APIs trust for the apiserver's proxied requests, and its identity.
  frontProxyCa: "front-proxy-ca.pem",
  frontProxyClientCert: "front-proxy-client.pem",
  frontProxyClientKey: "front-proxy-client-key.pem",
} as const;

/** The first usable address of the service network: the `kubernetes` service's ClusterIP. */
export function firstServiceIp(cidr: string): string {
  if (!ipv4Network(cidr)) throw new EasyKubeError(`service CIDR '${cidr}' is not an IPv4 CIDR such as 10.254.0.0/16`);
  return firstAddressOf(cidr);
}

function serverNames(servers: readonly ServerHost[]): string[] {
  return servers.flatMap((s) => [...s.addresses, s.name]).filter((n) => n !== "");
}

/** The apiserver's names: how nodes, pods and the masters' own components reach it. */
export function kubernetesCertificateHosts(hosts: PkiHosts, settings: PkiSettings): string[] {
  const names = [
    "127.0.0.1",
    ...serverNames(hosts.masters),
    firstServiceIp(settings.serviceCidr),
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    `kubernetes.default.svc.${settings.clusterDomain.replace(/\.$/, "")}`,
    ...settings.extraSans,
  ];
  return [...new Set(names)];
}

/** etcd members' names: every address a peer or client dials (etcd_address included), and 127.0.0.1. */
export function etcdCertificateHosts(hosts: PkiHosts): string[] {
  return [...new Set(["127.0.0.1", "localhost", ...serverNames(hosts.etcd)])];
}

export interface IssuedCertificate {
  /** The authority that signs it. */
  readonly ca: Authority;
  readonly profile: CertificateProfile;
}

export function authorityProfile(authority: Authority, settings: PkiSettings): Omit<CertificateProfile, "hosts" | "serverAuth" | "clientAuth"> {
  const commonName = authority === "ca" ? "kubernetes" : authority;
  return { subject: { ...settings.subject, commonName }, validityDays: settings.caValidityDays, keyBits: settings.keyBits };
}

export function clusterCertificateProfiles(hosts: PkiHosts, settings: PkiSettings): Record<ClusterCertificate, IssuedCertificate> {
  const base = { validityDays: settings.certValidityDays, keyBits: settings.keyBits };
  const subject = (commonName: string, organization: string): Subject => ({ ...settings.subject, commonName, organization });
  const k8s = settings.subject.organization ?? "k8s";
  const client = (commonName: string, organization: string): IssuedCertificate => ({ ca: "ca", profile: { ...base, subject: subject(commonName, organization), clientAuth: true } });
  return {
    kubernetes: { ca: "ca", profile: { ...base, subject: subject("kubernetes", k8s), hosts: kubernetesCertificateHosts(hosts, settings), serverAuth: true, clientAuth: true } },
    "kube-proxy": client("system:kube-proxy", k8s),
    admin: client("admin", "system:masters"),
    // Kubernetes' built-in RBAC binds these user names to the controllers' and scheduler's roles.
    "kube-controller-manager": client("system:kube-controller-manager", "system:kube-controller-manager"),
    "kube-scheduler": client("system:kube-scheduler", "system:kube-scheduler"),
    // As kubeadm: in system:masters, because 1.7 has no built-in role for the kubelet API
    // (system:kubelet-api-admin came in 1.11); it lives only on masters, which hold ca-key.pem
    // and admin.pem anyway, so it gives no one more than they have.
    "kube-apiserver-kubelet-client": client("kube-apiserver-kubelet-client", "system:masters"),
    // Members serve clients and authenticate to each other with the same certificate.
    etcd: { ca: "etcd-ca", profile: { ...base, subject: subject("etcd", k8s), hosts: etcdCertificateHosts(hosts), serverAuth: true, clientAuth: true } },
    "etcd-client": { ca: "etcd-ca", profile: { ...base, subject: subject("etcd-client", k8s), clientAuth: true } },
    // Its CN is what --requestheader-allowed-names accepts.
    "front-proxy-client": { ca: "front-proxy-ca", profile: { ...base, subject: subject(FRONT_PROXY_CLIENT_NAME, k8s), clientAuth: true } },
  };
}

/** The front proxy client's common name: the apiserver's --requestheader-allowed-names. */
export const FRONT_PROXY_CLIENT_NAME = "front-proxy-client";

/** The administrator's kubeconfig for root on the masters, naming https://127.0.0.1:<kube_apiserver_port>. */
export const ADMIN_LOCAL_KUBECONFIG = "admin-local.kubeconfig";

export interface DistributedFile {
  /** File name in the PKI folder. */
  readonly name: string;
  /** Where it goes on the host. */
  readonly dest: string;
  readonly secret: boolean;
  /**
   * The stage that installs it on the host. The kubeconfigs the nodes dial with are installed by
   * kube-node, after the apiserver-proxy stage: with several masters they name the node's local
   * proxy (127.0.0.1:8443), and a run that stopped before the proxy runs must not leave a node whose
   * kube-proxy, restarted, finds no API there.
   */
  readonly installedBy: "pki" | "kube-node";
}

/**
 * Who uses what, by inventory group. Masters also get ca-key.pem: with TLS bootstrap,
 * kube-controller-manager signs the kubelets' certificates with it. The etcd CA's key stays on the
 * control machine: no host needs to sign for etcd.
 */
export function pkiFilesFor(groups: readonly string[], sslDir: string, configDir: string): DistributedFile[] {
  const files = new Map<string, DistributedFile>();
  const add = (name: string, dest: string, installedBy: DistributedFile["installedBy"] = "pki") => files.set(name, { name, dest, secret: isSecretPkiFile(name), installedBy });
  const ssl = (name: string) => add(name, `${sslDir}/${name}`);
  const etcdClient = [ETCD_CLIENT_FILES.ca, ETCD_CLIENT_FILES.cert, ETCD_CLIENT_FILES.key];
  if (groups.includes("etcd")) [ETCD_MEMBER_FILES.ca, ETCD_MEMBER_FILES.cert, ETCD_MEMBER_FILES.key, ...etcdClient].forEach(ssl);
  if (groups.includes("kube_master")) {
    ["ca.pem", "ca-key.pem", "kubernetes.pem", "kubernetes-key.pem", "admin.pem", "admin-key.pem", ...etcdClient].forEach(ssl);
    [KUBE_MASTER_FILES.kubeletClientCert, KUBE_MASTER_FILES.kubeletClientKey, KUBE_MASTER_FILES.serviceAccountKey, KUBE_MASTER_FILES.serviceAccountPublicKey].forEach(ssl);
    [KUBE_MASTER_FILES.frontProxyCa, KUBE_MASTER_FILES.frontProxyClientCert, KUBE_MASTER_FILES.frontProxyClientKey].forEach(ssl);
    add("token.csv", `${configDir}/token.csv`);
    add(KUBE_MASTER_FILES.controllerManagerKubeconfig, `${configDir}/${KUBE_MASTER_FILES.controllerManagerKubeconfig}`);
    add(KUBE_MASTER_FILES.schedulerKubeconfig, `${configDir}/${KUBE_MASTER_FILES.schedulerKubeconfig}`);
    // kubectl on a master asks its own apiserver: it works while another master is down.
    add(ADMIN_LOCAL_KUBECONFIG, "/root/.kube/config");
  }
  if (groups.includes("kube_node")) {
    ["ca.pem", "kube-proxy.pem", "kube-proxy-key.pem"].forEach(ssl);
    add("bootstrap.kubeconfig", `${configDir}/bootstrap.kubeconfig`, "kube-node");
    add("kube-proxy.kubeconfig", `${configDir}/kube-proxy.kubeconfig`, "kube-node");
  }
  return [...files.values()];
}

/** Keys, tokens and kubeconfigs (which embed a key or the token): 0600 everywhere. */
export function isSecretPkiFile(name: string): boolean {
  return name.endsWith("-key.pem") || name.endsWith("kubeconfig") || name === "token.csv" || name === KUBE_MASTER_FILES.serviceAccountKey;
}
