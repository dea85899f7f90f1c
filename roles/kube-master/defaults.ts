/** Variables of the kube-master role: the guide's kube-apiserver, kube-controller-manager and kube-scheduler. */
import { defineSchema, kubeHas, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { apiserverProxyDefaults } from "../apiserver-proxy/defaults.ts";
import { pkiDefaults } from "../pki/defaults.ts";

export const NETWORK_PLUGINS = ["host-routes", "flannel", "calico", "none"] as const;

export const kubeMasterDefaults = defineSchema({
  install_method: bundleVars.install_method,
  bundle_dir: bundleVars.bundle_dir,
  bundle_arch: bundleVars.bundle_arch,
  bin_dir: bundleVars.bin_dir,
  kube_version: bundleVars.kube_version,
  // Where the PKI role puts the files, and what the certificates were made for: one definition.
  pki_dir: pkiDefaults.pki_dir,
  pki_remote_ssl_dir: pkiDefaults.pki_remote_ssl_dir,
  kube_config_dir: pkiDefaults.kube_config_dir,
  kube_apiserver_port: pkiDefaults.kube_apiserver_port,
  // With the nodes' local proxy, a restarting apiserver first lets the proxies take it out.
  pki_apiserver_url: pkiDefaults.pki_apiserver_url,
  kube_apiserver_local_proxy: pkiDefaults.kube_apiserver_local_proxy,
  kube_apiserver_local_proxy_port: pkiDefaults.kube_apiserver_local_proxy_port,
  apiserver_proxy_check_interval: apiserverProxyDefaults.apiserver_proxy_check_interval,
  apiserver_proxy_check_fall: apiserverProxyDefaults.apiserver_proxy_check_fall,
  apiserver_proxy_check_rise: apiserverProxyDefaults.apiserver_proxy_check_rise,
  kube_service_cidr: pkiDefaults.kube_service_cidr,
  kube_cluster_domain: pkiDefaults.kube_cluster_domain,
  kube_service_account_issuer: v.string("", "--service-account-issuer (from 1.20, where it is required): the issuer of service account tokens; empty: https://kubernetes.default.svc.<kube_cluster_domain>."),
  kube_apiserver_address: v.string("", "The address this master's apiserver listens on and advertises; empty: ansible_host, else the inventory name. Must be covered by the kubernetes certificate (the PKI adds every master's)."),
  kube_apiserver_bind_address: v.string("0.0.0.0", "--bind-address of the apiserver's TLS port: every address by default, since the controller-manager and the scheduler use https://127.0.0.1 and nodes the master's address."),
  kube_apiserver_insecure_port: v.integer(0, "The unauthenticated HTTP port, on 127.0.0.1 only; 0 (the default) closes it. Kubernetes 1.20 accepts only 0.", { min: 0, max: 65535 }),
  kube_node_port_range: v.string("8400-9000", "--service-node-port-range: ports NodePort services may take (the guide's 8400-9000)."),
  kube_cluster_cidr: v.cidr("172.30.0.0/16", "Pod network (the guide's); the controller-manager gives each node a part of it when the network plugin needs that."),
  kube_node_cidr_mask_size: v.integer(24, "Size of each node's part of kube_cluster_cidr.", { min: 8, max: 30 }),
  kube_network_plugin: v.oneOf(NETWORK_PLUGINS, "flannel", "The pod network: host-routes and flannel use the node pod CIDRs the controller-manager allocates; calico allocates its own; none leaves the network to another stage."),
  kube_admission_plugins: v.list(v.string("", "a plugin"), ["NamespaceLifecycle", "LimitRanger", "ServiceAccount", "DefaultStorageClass", "ResourceQuota", "NodeRestriction"], "Admission plugins (the guide's list; --admission-control before 1.10, --enable-admission-plugins from 1.10)."),
  kube_allow_privileged: v.boolean(true, "--allow-privileged: let pods run privileged containers (the network plugins' pods need it)."),
  kube_bootstrap_token_auth: v.boolean(false, "Also accept bootstrap-token secrets (kube-system, type bootstrap.kubernetes.io/token) besides token.csv, and run the controllers that sign and clean them up."),
  kube_audit_log: v.boolean(true, "Write an audit log on the masters: from 1.8 with a policy that records writes with their request bodies and other requests' metadata, never the bodies of Secrets, ConfigMaps or tokens, and skips health probes, events and the cluster components' own reads (templates/audit-policy.yaml.hbs); rotated by kube_audit_log_maxsize and _maxbackup."),
  kube_audit_log_path: v.path("/var/log/kubernetes/audit.log", "Where the audit log goes."),
  kube_audit_log_maxage: v.integer(30, "Days an audit log file is kept.", { min: 1 }),
  kube_audit_log_maxbackup: v.integer(3, "Audit log files kept.", { min: 1 }),
  kube_audit_log_maxsize: v.integer(100, "Size in MB at which the audit log is rotated.", { min: 1 }),
  kube_event_ttl: v.string("1h", "--event-ttl: how long events are kept."),
  // The nodes' choice, read by the masters too: the apiserver verifies kubelets' serving certificates only when the cluster CA issued them.
  kubelet_serving_certificate: v.oneOf(["bootstrap", "self-signed"], "bootstrap", "bootstrap (from 1.12): kubelet asks the cluster CA for its serving certificate, approved by kube-node when it names only the node's own name and addresses, so the apiserver (--kubelet-certificate-authority) verifies it for logs and exec; self-signed: kubelet makes its own, and the apiserver cannot verify it (no --kubelet-certificate-authority; before 1.12 always so)."),
  kube_cluster_signing_duration: v.string("8760h", "Lifetime of the certificates the controller-manager signs for kubelets."),
  kube_tls_min_version: v.oneOf(["VersionTLS12", "VersionTLS13"], "VersionTLS12", "The oldest TLS version the apiserver, controller-manager, scheduler and kubelets accept (--tls-min-version, kubelet's tlsMinVersion; from 1.10, 1.12 and 1.13 for the controller-manager and the scheduler)."),
  kube_tls_cipher_suites: v.list(
    v.string("", "a Go cipher suite name"),
    ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"],
    "The TLS 1.2 cipher suites the same servers offer (TLS 1.3's are Go's own): forward-secret AEAD suites only; empty: Go's defaults.",
  ),
  kube_encrypt_secrets: v.boolean(true, "Encrypt Secrets in etcd (aescbc, with the key the PKI stage makes once: secrets-encryption.key in the PKI folder; keep it with the CA). Secrets written before it was on stay readable and are encrypted when next written."),
  kube_profiling: v.boolean(false, "Serve Go's profiling endpoints (/debug/pprof) on the apiserver, controller-manager and scheduler (--profiling); off unless you debug them."),
  kube_apiserver_extra_flags: v.map({}, "More kube-apiserver flags, name (without --) to value. A flag the role sets, or one the version does not have, is an error."),
  kube_controller_manager_extra_flags: v.map({}, "More kube-controller-manager flags, as kube_apiserver_extra_flags."),
  kube_scheduler_extra_flags: v.map({}, "More kube-scheduler flags, as kube_apiserver_extra_flags."),
  kube_master_health_timeout: v.integer(120, "Seconds to wait for a component to report healthy after a start or restart.", { min: 1 }),
});

/** Kubelets serve a certificate from the cluster CA (kubelet_serving_certificate bootstrap, from 1.12): the apiserver can verify them. */
export function kubeletsServeFromClusterCa(vars: { kubelet_serving_certificate: string; kube_version: string }): boolean {
  return vars.kubelet_serving_certificate === "bootstrap" && kubeHas("kubeletServingCertificateBootstrap", vars.kube_version);
}
