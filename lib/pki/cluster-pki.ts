/**
 * The guide's certificates (step 2) and who gets which file, as pure functions of the inventory:
 * the `kubernetes` certificate (etcd and the apiserver, server and client auth) names every master
 * and etcd host, 127.0.0.1, the first service IP and the in-cluster names; `kube-proxy` is
 * system:kube-proxy; `admin` is in system:masters.
 */
import { EasyKubeError } from "../errors.js";
import type { CertificateProfile, Subject } from "./certificate.js";

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

/** The hosts a certificate must name, as the inventory gives them. */
export interface PkiHosts {
  /** Masters and etcd members: inventory name and address (ansible_host) of each. */
  readonly servers: readonly { name: string; address?: string }[];
}

export type ClusterCertificate = "kubernetes" | "kube-proxy" | "admin";
export const CLUSTER_CERTIFICATES: readonly ClusterCertificate[] = ["kubernetes", "kube-proxy", "admin"];

/** The first usable address of the service network: the `kubernetes` service's ClusterIP. */
export function firstServiceIp(cidr: string): string {
  const [address, prefix] = cidr.split("/");
  const octets = (address ?? "").split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || !/^\d+$/.test(prefix ?? "")) {
    throw new EasyKubeError(`service CIDR '${cidr}' is not an IPv4 CIDR such as 10.254.0.0/16`);
  }
  const bits = Number(prefix);
  const base = (octets.reduce((n, o) => n * 256 + o, 0) >>> 0) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
  const first = (base + 1) >>> 0;
  return [24, 16, 8, 0].map((shift) => (first >>> shift) & 255).join(".");
}

export function kubernetesCertificateHosts(hosts: PkiHosts, settings: PkiSettings): string[] {
  const names = [
    "127.0.0.1",
    ...hosts.servers.flatMap((s) => [s.address, s.name]).filter((n): n is string => !!n),
    firstServiceIp(settings.serviceCidr),
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    `kubernetes.default.svc.${settings.clusterDomain.replace(/\.$/, "")}`,
    ...settings.extraSans,
  ];
  return [...new Set(names)];
}

export function clusterCertificateProfiles(hosts: PkiHosts, settings: PkiSettings): Record<ClusterCertificate, CertificateProfile> {
  const base = { validityDays: settings.certValidityDays, keyBits: settings.keyBits };
  const subject = (commonName: string, organization: string): Subject => ({ ...settings.subject, commonName, organization });
  return {
    kubernetes: { ...base, subject: subject("kubernetes", settings.subject.organization ?? "k8s"), hosts: kubernetesCertificateHosts(hosts, settings), serverAuth: true, clientAuth: true },
    "kube-proxy": { ...base, subject: subject("system:kube-proxy", settings.subject.organization ?? "k8s"), clientAuth: true },
    admin: { ...base, subject: subject("admin", "system:masters"), clientAuth: true },
  };
}

export interface DistributedFile {
  /** File name in the PKI folder. */
  readonly name: string;
  /** Where it goes on the host. */
  readonly dest: string;
  readonly secret: boolean;
}

/**
 * Who uses what (the guide's table), by inventory group. Masters also get ca-key.pem: with TLS
 * bootstrap, kube-controller-manager signs the kubelets' certificates with it.
 */
export function pkiFilesFor(groups: readonly string[], sslDir: string, configDir: string): DistributedFile[] {
  const files = new Map<string, DistributedFile>();
  const add = (name: string, dest: string) => files.set(name, { name, dest, secret: name.endsWith("-key.pem") || name.endsWith("kubeconfig") || name === "token.csv" });
  const ssl = (name: string) => add(name, `${sslDir}/${name}`);
  if (groups.includes("etcd")) ["ca.pem", "kubernetes.pem", "kubernetes-key.pem"].forEach(ssl);
  if (groups.includes("kube_master")) {
    ["ca.pem", "ca-key.pem", "kubernetes.pem", "kubernetes-key.pem", "admin.pem", "admin-key.pem"].forEach(ssl);
    add("token.csv", `${configDir}/token.csv`);
    add("kubeconfig", "/root/.kube/config");
  }
  if (groups.includes("kube_node")) {
    ["ca.pem", "kube-proxy.pem", "kube-proxy-key.pem"].forEach(ssl);
    add("bootstrap.kubeconfig", `${configDir}/bootstrap.kubeconfig`);
    add("kube-proxy.kubeconfig", `${configDir}/kube-proxy.kubeconfig`);
  }
  return [...files.values()];
}
