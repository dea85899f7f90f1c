import { describe, expect, it } from "vitest";
import { clusterCertificateProfiles, etcdCertificateHosts, firstServiceIp, kubernetesCertificateHosts, pkiFilesFor, type PkiHosts, type PkiSettings } from "../../lib/pki/cluster-pki.js";

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

  it("names every master, the service IP and the in-cluster names once, in a stable order", () => {
    const hosts = kubernetesCertificateHosts({ masters: [{ name: "m1", addresses: ["10.0.0.1"] }, { name: "10.0.0.2", addresses: [] }, { name: "m1", addresses: ["10.0.0.1"] }], etcd: [{ name: "e1", addresses: ["10.0.0.9"] }] }, settings);
    expect(hosts).toEqual([
      "127.0.0.1", "10.0.0.1", "m1", "10.0.0.2", "10.254.0.1", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local", "api.example.com", "10.0.0.100",
    ]);
  });

  it("names every etcd member by name, ansible_host and etcd_address in the etcd certificate", () => {
    const hosts: PkiHosts = { masters: [{ name: "m1", addresses: ["10.0.0.1"] }], etcd: [{ name: "e1", addresses: ["10.0.0.11", "172.16.0.11"] }, { name: "e2", addresses: ["10.0.0.12"] }] };
    expect(etcdCertificateHosts(hosts)).toEqual(["127.0.0.1", "localhost", "10.0.0.11", "172.16.0.11", "e1", "10.0.0.12", "e2"]);
    expect(clusterCertificateProfiles(hosts, settings).etcd.profile.hosts).toContain("172.16.0.11");
  });

  it("signs etcd's certificates with the etcd CA and everything else with the cluster CA", () => {
    const profiles = clusterCertificateProfiles({ masters: [], etcd: [] }, settings);
    const byCa = (ca: string) => Object.entries(profiles).filter(([, p]) => p.ca === ca).map(([name]) => name).sort();
    expect(byCa("etcd-ca")).toEqual(["etcd", "etcd-client"]);
    expect(byCa("ca")).toEqual(["admin", "kube-apiserver-kubelet-client", "kube-controller-manager", "kube-proxy", "kube-scheduler", "kubernetes"]);
    expect(profiles["kube-controller-manager"].profile.subject.commonName).toBe("system:kube-controller-manager");
    expect(profiles["kube-scheduler"].profile.subject.commonName).toBe("system:kube-scheduler");
    expect(profiles["kube-apiserver-kubelet-client"].profile.subject).toMatchObject({ commonName: "kube-apiserver-kubelet-client", organization: "system:masters" });
    expect(profiles["etcd-client"].profile).toMatchObject({ clientAuth: true });
    expect(profiles["etcd-client"].profile.serverAuth).toBeFalsy();
  });

  it("gives each host only the files its groups use: nodes never get an etcd identity", () => {
    const names = (groups: string[]) => pkiFilesFor(groups, "/ssl", "/k8s").map((f) => f.name).sort();
    expect(names(["etcd"])).toEqual(["etcd-ca.pem", "etcd-client-key.pem", "etcd-client.pem", "etcd-key.pem", "etcd.pem"]);
    expect(names(["kube_node"])).toEqual(["bootstrap.kubeconfig", "ca.pem", "kube-proxy-key.pem", "kube-proxy.kubeconfig", "kube-proxy.pem"]);
    expect(names(["kube_master"])).toEqual([
      "admin-key.pem", "admin-local.kubeconfig", "admin.pem", "ca-key.pem", "ca.pem", "etcd-ca.pem", "etcd-client-key.pem", "etcd-client.pem",
      "front-proxy-ca.pem", "front-proxy-client-key.pem", "front-proxy-client.pem", "kube-apiserver-kubelet-client-key.pem",
      "kube-apiserver-kubelet-client.pem", "kube-controller-manager.kubeconfig", "kube-scheduler.kubeconfig", "kubernetes-key.pem", "kubernetes.pem", "sa.key", "sa.pub", "token.csv",
    ]);
    const all = pkiFilesFor(["etcd", "kube_master", "kube_node"], "/ssl", "/k8s");
    expect(all.map((f) => f.name)).not.toContain("etcd-ca-key.pem");
    // No host signs for the aggregation layer: its CA's key stays on the control machine.
    expect(all.map((f) => f.name)).not.toContain("front-proxy-ca-key.pem");
    expect(all.filter((f) => f.secret).map((f) => f.name).sort()).toEqual([
      "admin-key.pem", "admin-local.kubeconfig", "bootstrap.kubeconfig", "ca-key.pem", "etcd-client-key.pem", "etcd-key.pem", "front-proxy-client-key.pem", "kube-apiserver-kubelet-client-key.pem", "kube-controller-manager.kubeconfig",
      "kube-proxy-key.pem", "kube-proxy.kubeconfig", "kube-scheduler.kubeconfig", "kubernetes-key.pem", "sa.key", "token.csv",
    ]);
    expect(pkiFilesFor(["kube_master"], "/ssl", "/k8s").find((f) => f.name === "kube-scheduler.kubeconfig")?.dest).toBe("/k8s/kube-scheduler.kubeconfig");
    // Root's kubectl on a master: the kubeconfig naming its own apiserver, not the control machine's.
    expect(pkiFilesFor(["kube_master"], "/ssl", "/k8s").find((f) => f.dest === "/root/.kube/config")?.name).toBe("admin-local.kubeconfig");
  });

  it("the kubeconfigs nodes dial with are installed by kube-node, which site.ts runs after the apiserver proxy, never by the PKI stage", async () => {
    const { sitePlaybook } = await import("../../playbooks/site.js");
    const { kubeNodeRole } = await import("../../roles/kube-node/index.js");
    const { apiserverProxyRole } = await import("../../roles/apiserver-proxy/index.js");
    const byKubeNode = pkiFilesFor(["etcd", "kube_master", "kube_node"], "/ssl", "/k8s").filter((f) => f.installedBy === "kube-node");
    expect(byKubeNode.map((f) => f.name).sort()).toEqual(["bootstrap.kubeconfig", "kube-proxy.kubeconfig"]);
    const playWith = (role: unknown) => sitePlaybook.plays.findIndex((p) => p.roles?.includes(role as never));
    expect(playWith(apiserverProxyRole)).toBeGreaterThan(-1);
    expect(playWith(apiserverProxyRole)).toBeLessThan(playWith(kubeNodeRole));
  });
});
