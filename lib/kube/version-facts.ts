/**
 * Facts about Kubernetes releases that are not a flag or a config field: when a feature arrived or
 * left, by version range, in one table, so that a new release is a change here and not a `since`
 * check in some role. Each row says where it was checked.
 */
import { rowAppliesTo } from "./flag-table.js";

export interface VersionRange {
  readonly since?: string;
  readonly until?: string;
}

export const KUBE_VERSION_FACTS = {
  /**
   * The releases the roles' tables cover: their flags and fields were checked against these
   * releases' help (1.7.11, 1.20.2, 1.37.2 in test/fixtures/help). A newer minor release needs
   * its rows checked against its programs before the roles accept it.
   */
  rolesCover: { since: "1.7", until: "1.38" },
  /** kubelet's built-in Docker support (dockershim): removed in 1.24 (KEP-2221). */
  dockershim: { until: "1.24" },
  /** KubeletConfiguration `failCgroupV1`: 1.31 (KEP-4569); its default turned true in 1.35 (KEP-5573). */
  kubeletFailCgroupV1Field: { since: "1.31" },
  /**
   * Releases whose kubelet still starts on a cgroup v1 host (with failCgroupV1: false where the field
   * exists). Checked in the 1.37.2 module: pkg/kubelet/apis/config/validation/validation_linux.go
   * refuses v1 only when failCgroupV1 is true. A release that drops v1 ends this range.
   */
  kubeletRunsOnCgroupV1: {},
  /** KubeletConfiguration `containerRuntimeEndpoint` (1.27; the flag is deprecated from then). */
  kubeletContainerRuntimeEndpointField: { since: "1.27" },
  /**
   * Masters are labelled and tainted node-role.kubernetes.io/control-plane from 1.24 (KEP-2067;
   * kubeadm dropped the `master` taint and label then); node-role.kubernetes.io/master before.
   */
  controlPlaneNodeRole: { since: "1.24" },
  /** kubelet asks the cluster CA for its serving certificate (serverTLSBootstrap) from 1.12. */
  kubeletServingCertificateBootstrap: { since: "1.12" },
  /**
   * Encryption of Secrets at rest: --experimental-encryption-provider-config with `kind:
   * EncryptionConfig` (v1) from 1.7, --encryption-provider-config with apiserver.config.k8s.io/v1
   * EncryptionConfiguration from 1.13.
   */
  encryptionConfigurationV1: { since: "1.13" },
  /** The apiserver's /readyz (1.16); before it, /healthz is the only health endpoint. */
  apiserverReadyz: { since: "1.16" },
  /**
   * The controller-manager's and the scheduler's plain HTTP health ports on 127.0.0.1 (10252,
   * 10251): insecure serving was turned off in 1.22 (kubernetes#96216, #96345; kubeadm#2207). From
   * then health is asked on their TLS ports (10257, 10259; served from 1.12 and 1.13), where
   * /healthz is open to anonymous requests (--authorization-always-allow-paths).
   */
  masterInsecureHealthPorts: { until: "1.22" },
  /** The apiserver's --insecure-port may be other than 0 until 1.20 (the port was removed then; only 0 is accepted). */
  apiserverInsecurePort: { until: "1.20" },
  /** rbac.authorization.k8s.io/v1 (1.8); v1beta1 before. */
  rbacV1: { since: "1.8" },
  /** --audit-policy-file (1.8; the advanced audit backend turned beta then). */
  auditPolicy: { since: "1.8" },
  /** audit.k8s.io/v1 policies (1.12); v1beta1 before. */
  auditV1: { since: "1.12" },
  /** certificates.k8s.io/v1 (1.19; approvals need status "True" there); v1beta1 before. */
  certificatesV1: { since: "1.19" },
  /** CertificateSigningRequest spec.signerName (1.18): the approver requires kubelet's signers. */
  csrSignerName: { since: "1.18" },
  /**
   * kubelet's certificate store (1.8): kubelet-client-current.pem, with the bootstrap key waiting in
   * kubelet-client.key.tmp; 1.7 writes kubelet-client.crt and .key. Also the
   * selfnodeclient ClusterRole that lets nodes renew their client certificates (1.8).
   */
  kubeletCertificateStore: { since: "1.8" },
  /** The KubeletConfiguration file (--config, 1.10); flags only before. */
  kubeletConfigFile: { since: "1.10" },
  /** kube-proxy's ipvs mode is generally available (1.11). */
  kubeProxyIpvs: { since: "1.11" },
  /** discovery.k8s.io/v1 EndpointSlices (1.21), which CoreDNS from 1.9 watches instead of Endpoints. */
  endpointSlicesV1: { since: "1.21" },
  /** policy/v1 PodDisruptionBudgets (1.21); policy/v1beta1 before. */
  podDisruptionBudgetV1: { since: "1.21" },
  /** securityContext.seccompProfile (1.19, GA); an annotation before. */
  seccompProfileField: { since: "1.19" },
  /** kubelet's CNI library speaks spec 0.4.0 (1.16, libcni v0.7.1); 0.3.1 before. */
  kubeletCniSpec040: { since: "1.16" },
} as const satisfies Record<string, VersionRange>;

export type KubeVersionFact = keyof typeof KUBE_VERSION_FACTS;

/** Whether `version` has the fact (is inside its range). */
export function kubeHas(fact: KubeVersionFact, version: string): boolean {
  return rowAppliesTo(KUBE_VERSION_FACTS[fact], version);
}
