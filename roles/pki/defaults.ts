/** Variables of the pki roles: the cluster's CAs and certificates, their subjects, lifetimes and locations. */
import { defineSchema, v } from "easy-kube";

export const pkiDefaults = defineSchema({
  pki_dir: v.string("", "Folder with the cluster's CA, keys, certificates, token and kubeconfigs on the control machine; empty: .pki/ beside the inventory."),
  pki_key_bits: v.integer(2048, "RSA key size of the CAs, every certificate and the service account key.", { min: 2048, max: 8192 }),
  pki_ca_validity_days: v.integer(3650, "Lifetime of the cluster CA and the etcd CA.", { min: 1 }),
  pki_cert_validity_days: v.integer(365, "Lifetime of the certificates the CAs sign.", { min: 1 }),
  pki_renew_before_days: v.integer(30, "A certificate expiring within this many days is reissued on the next run.", { min: 0 }),
  pki_renew: v.list(
    v.oneOf(
      ["ca", "etcd-ca", "front-proxy-ca", "kubernetes", "kube-proxy", "admin", "kube-controller-manager", "kube-scheduler", "kube-apiserver-kubelet-client", "etcd", "etcd-client", "front-proxy-client", "sa", "token"],
      "kubernetes",
      "a certificate",
    ),
    [],
    "Renew these now, with new keys (e.g. -e pki_renew=admin,kube-proxy). Renewing a CA reissues everything it signs; sa is the service account key pair, token the bootstrap token.",
  ),
  pki_country: v.string("CN", "C of every certificate's subject (the guide's cfssl defaults)."),
  pki_state: v.string("BeiJing", "ST of every subject."),
  pki_locality: v.string("BeiJing", "L of every subject."),
  pki_organization: v.string("k8s", "O of the CAs and of the kubernetes, kube-proxy and etcd certificates (admin's O is system:masters)."),
  pki_organizational_unit: v.string("System", "OU of every subject."),
  pki_extra_sans: v.list(v.string("", "a name or address"), [], "More DNS names or IP addresses for the kubernetes (apiserver) certificate (a load balancer, a VIP)."),
  pki_apiserver_url: v.string("", "The apiserver's address for every client (an external load balancer or VIP, https://...); empty: the first master's, or with several masters the local proxy (kube_apiserver_local_proxy)."),
  kube_apiserver_local_proxy: v.oneOf(["auto", "on", "off"], "auto", "A proxy on every node (haproxy, 127.0.0.1) balancing to every master's apiserver, which kubelet and kube-proxy dial. auto: on when there are several masters and no pki_apiserver_url; off: nodes dial the first master (or pki_apiserver_url)."),
  kube_apiserver_local_proxy_port: v.port(8443, "Where the local proxy listens on 127.0.0.1; not kube_apiserver_port, which the apiserver holds on masters."),
  pki_remote_ssl_dir: v.path("/etc/kubernetes/ssl", "Where certificates and keys go on the hosts."),
  kube_config_dir: v.path("/etc/kubernetes", "Where kubeconfigs and token.csv go on the hosts."),
  kube_apiserver_port: v.port(6443, "The apiserver's secure port."),
  kube_service_cidr: v.cidr("10.254.0.0/16", "Service network; its first address is the kubernetes service's ClusterIP."),
  kube_cluster_domain: v.string("cluster.local", "Cluster DNS domain."),
});
