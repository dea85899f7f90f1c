import { describe, expect, it } from "vitest";
import { firstServiceIp, kubernetesCertificateHosts, pkiFilesFor, type PkiSettings } from "../../lib/pki/cluster-pki.js";

const settings: PkiSettings = {
  keyBits: 2048,
  caValidityDays: 3650,
  certValidityDays: 365,
  subject: {},
  serviceCidr: "10.254.0.0/16",
  clusterDomain: "cluster.local.",
  extraSans: ["api.example.com", "10.0.0.100"],
};

describe("cluster PKI rules", () => {
  it.each([
    ["10.254.0.0/16", "10.254.0.1"],
    ["10.68.0.0/16", "10.68.0.1"],
    ["172.16.5.0/24", "172.16.5.1"],
    ["10.96.0.10/12", "10.96.0.1"],
  ])("the first service IP of %s is %s", (cidr, ip) => expect(firstServiceIp(cidr)).toBe(ip));

  it("rejects a CIDR that is not IPv4", () => {
    expect(() => firstServiceIp("fd00::/108")).toThrow(/not an IPv4 CIDR/);
  });

  it("names every server, the service IP and the in-cluster names once, in a stable order", () => {
    const hosts = kubernetesCertificateHosts({ servers: [{ name: "m1", address: "10.0.0.1" }, { name: "10.0.0.2" }, { name: "m1", address: "10.0.0.1" }] }, settings);
    expect(hosts).toEqual([
      "127.0.0.1", "10.0.0.1", "m1", "10.0.0.2", "10.254.0.1", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local", "api.example.com", "10.0.0.100",
    ]);
  });

  it("gives each host only the files its groups use", () => {
    const names = (groups: string[]) => pkiFilesFor(groups, "/ssl", "/k8s").map((f) => f.name).sort();
    expect(names(["etcd"])).toEqual(["ca.pem", "kubernetes-key.pem", "kubernetes.pem"]);
    expect(names(["kube_node"])).toEqual(["bootstrap.kubeconfig", "ca.pem", "kube-proxy-key.pem", "kube-proxy.kubeconfig", "kube-proxy.pem"]);
    expect(names(["kube_master"])).toEqual(["admin-key.pem", "admin.pem", "ca-key.pem", "ca.pem", "kubeconfig", "kubernetes-key.pem", "kubernetes.pem", "token.csv"]);
    const secrets = pkiFilesFor(["kube_master", "kube_node"], "/ssl", "/k8s").filter((f) => f.secret).map((f) => f.name).sort();
    expect(secrets).toEqual(["admin-key.pem", "bootstrap.kubeconfig", "ca-key.pem", "kube-proxy-key.pem", "kube-proxy.kubeconfig", "kubeconfig", "kubernetes-key.pem", "token.csv"]);
  });
});
