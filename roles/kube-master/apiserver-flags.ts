/**
 * kube-apiserver's command line by version. Version boundaries, and where they were checked:
 * - --admission-control until 1.10, --enable-admission-plugins from 1.10 (kubernetes#58123, the 1.10 release note);
 * - --experimental-bootstrap-token-auth until 1.8, --enable-bootstrap-token-auth from 1.8 (the generated
 *   kube-apiserver references of 1.7 and 1.8);
 * - --audit-policy-file from 1.8, where AdvancedAuditing is on by default and an audit log needs a policy
 *   (the 1.8 reference: "With AdvancedAuditing, a profile is required to enable auditing").
 * - --shutdown-delay-duration from 1.14 (kubernetes#74416), used from 1.16, where /readyz (which it turns
 *   failing) came and the local proxies ask it;
 * Every rendered flag is checked against each version's help text (test/fixtures/help/).
 */
import { KUBE_VERSION_FACTS, type FlagTable } from "easy-kube";
import { FRONT_PROXY_CLIENT_NAME } from "easy-kube/pki";
import { kubeletsServeFromClusterCa } from "./defaults.ts";
import { hardeningFlags, type FlagContext, type KubeMasterVars } from "./flag-context.ts";

const ENCRYPTION_V1 = KUBE_VERSION_FACTS.encryptionConfigurationV1.since;
const audit = (v: KubeMasterVars, value: string | number) => (v.kube_audit_log ? String(value) : undefined);

export const apiserverFlags: FlagTable<KubeMasterVars, FlagContext> = [
  { flag: "admission-control", until: "1.10", value: (v) => v.kube_admission_plugins.join(",") },
  { flag: "enable-admission-plugins", since: "1.10", value: (v) => v.kube_admission_plugins.join(",") },
  { flag: "advertise-address", value: (_, c) => c.address },
  // All addresses by default: the controller-manager and the scheduler reach it on 127.0.0.1 (TLS, client certificates).
  { flag: "bind-address", value: (v) => v.kube_apiserver_bind_address },
  { flag: "secure-port", value: (v) => String(v.kube_apiserver_port) },
  { flag: "insecure-bind-address", until: "1.20", value: (v) => (v.kube_apiserver_insecure_port === 0 ? undefined : "127.0.0.1") },
  // Deprecated and hidden in 1.20, where 0 (closed) is its default and its only accepted value.
  { flag: "insecure-port", until: "1.20", value: (v) => String(v.kube_apiserver_insecure_port) },
  { flag: "authorization-mode", value: () => "Node,RBAC" },
  { flag: "experimental-bootstrap-token-auth", until: "1.8", value: (v) => (v.kube_bootstrap_token_auth ? "true" : undefined) },
  { flag: "enable-bootstrap-token-auth", since: "1.8", value: (v) => (v.kube_bootstrap_token_auth ? "true" : undefined) },
  { flag: "token-auth-file", value: (_, c) => c.files.tokenCsv },
  { flag: "client-ca-file", value: (_, c) => c.files.ca },
  { flag: "tls-cert-file", value: (_, c) => c.files.apiserverCert },
  { flag: "tls-private-key-file", value: (_, c) => c.files.apiserverKey },
  // Deprecated and hidden in 1.20, where https is the default and the only way to kubelets.
  { flag: "kubelet-https", until: "1.20", value: () => "true" },
  // Only kubelets serving a certificate of the cluster CA can be verified (else logs, exec and port-forward fail with x509 errors).
  { flag: "kubelet-certificate-authority", value: (v, c) => (kubeletsServeFromClusterCa(v) ? c.files.ca : undefined) },
  { flag: "kubelet-client-certificate", value: (_, c) => c.files.kubeletClientCert },
  { flag: "kubelet-client-key", value: (_, c) => c.files.kubeletClientKey },
  // Kubelets are dialled at the address they report, not by a host name the master may not resolve.
  { flag: "kubelet-preferred-address-types", value: () => "InternalIP,ExternalIP,Hostname" },
  // The aggregation layer (metrics-server, kubectl top): requests it proxies carry the front proxy's identity.
  { flag: "requestheader-client-ca-file", value: (_, c) => c.files.frontProxyCa },
  { flag: "requestheader-allowed-names", value: () => FRONT_PROXY_CLIENT_NAME },
  { flag: "requestheader-extra-headers-prefix", value: () => "X-Remote-Extra-" },
  { flag: "requestheader-group-headers", value: () => "X-Remote-Group" },
  { flag: "requestheader-username-headers", value: () => "X-Remote-User" },
  { flag: "proxy-client-cert-file", value: (_, c) => c.files.frontProxyClientCert },
  { flag: "proxy-client-key-file", value: (_, c) => c.files.frontProxyClientKey },
  // A master without kube-proxy cannot reach Service IPs: it dials an aggregated API's endpoints.
  { flag: "enable-aggregator-routing", value: (_, c) => (c.runsKubeProxy ? undefined : "true") },
  { flag: "service-account-key-file", value: (_, c) => c.files.serviceAccountPublicKey },
  // Required from 1.20 (the TokenRequest API: bound, audience-scoped service account tokens).
  { flag: "service-account-issuer", since: "1.20", value: (v) => v.kube_service_account_issuer || `https://kubernetes.default.svc.${v.kube_cluster_domain}` },
  { flag: "service-account-signing-key-file", since: "1.20", value: (_, c) => c.files.serviceAccountKey },
  { flag: "service-cluster-ip-range", value: (v) => v.kube_service_cidr },
  { flag: "service-node-port-range", value: (v) => v.kube_node_port_range },
  { flag: "etcd-servers", value: (_, c) => c.etcdServers },
  { flag: "etcd-cafile", value: (_, c) => c.files.etcdCa },
  { flag: "etcd-certfile", value: (_, c) => c.files.etcdClientCert },
  { flag: "etcd-keyfile", value: (_, c) => c.files.etcdClientKey },
  { flag: "allow-privileged", value: (v) => String(v.kube_allow_privileged) },
  // Only the master-count endpoint reconciler reads it (lease is the default from 1.11); deprecated
  // in 1.24 (kubernetes#108062) and hidden from the help since.
  { flag: "apiserver-count", until: "1.24", value: (_, c) => String(c.masterCount) },
  { flag: "event-ttl", value: (v) => v.kube_event_ttl },
  { flag: "experimental-encryption-provider-config", until: ENCRYPTION_V1, value: (v, c) => (v.kube_encrypt_secrets ? c.files.encryptionConfig : undefined) },
  { flag: "encryption-provider-config", since: ENCRYPTION_V1, value: (v, c) => (v.kube_encrypt_secrets ? c.files.encryptionConfig : undefined) },
  { flag: "shutdown-delay-duration", since: "1.16", value: (_, c) => (c.shutdownDelaySeconds === undefined ? undefined : `${c.shutdownDelaySeconds}s`) },
  { flag: "audit-policy-file", since: "1.8", value: (v, c) => audit(v, c.auditPolicyFile) },
  { flag: "audit-log-path", value: (v) => audit(v, v.kube_audit_log_path) },
  { flag: "audit-log-maxage", value: (v) => audit(v, v.kube_audit_log_maxage) },
  { flag: "audit-log-maxbackup", value: (v) => audit(v, v.kube_audit_log_maxbackup) },
  { flag: "audit-log-maxsize", value: (v) => audit(v, v.kube_audit_log_maxsize) },
  ...hardeningFlags("1.10"),
];
