/**
 * The PKI's files as the masters hold them (the pki-distribute role puts them there), in one place:
 * the flag tables and the role's file check read these paths.
 */
import { KUBE_MASTER_FILES } from "easy-kube/pki";

export interface MasterFiles {
  readonly ca: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
  readonly etcdCa: string;
  readonly etcdClientCert: string;
  readonly etcdClientKey: string;
  readonly tokenCsv: string;
  readonly controllerManagerKubeconfig: string;
  readonly schedulerKubeconfig: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly frontProxyCa: string;
  readonly frontProxyClientCert: string;
  readonly frontProxyClientKey: string;
  /** The EncryptionConfiguration the apiserver encrypts Secrets by (rendered on the control machine from the PKI's key). */
  readonly encryptionConfig: string;
}

export function masterFiles(vars: { pki_remote_ssl_dir: string; kube_config_dir: string }): MasterFiles {
  const ssl = (name: string) => `${vars.pki_remote_ssl_dir}/${name}`;
  const config = (name: string) => `${vars.kube_config_dir}/${name}`;
  return {
    ca: ssl("ca.pem"),
    caKey: ssl("ca-key.pem"),
    apiserverCert: ssl("kubernetes.pem"),
    apiserverKey: ssl("kubernetes-key.pem"),
    serviceAccountKey: ssl("sa.key"),
    serviceAccountPublicKey: ssl("sa.pub"),
    kubeletClientCert: ssl("kube-apiserver-kubelet-client.pem"),
    kubeletClientKey: ssl("kube-apiserver-kubelet-client-key.pem"),
    etcdCa: ssl("etcd-ca.pem"),
    etcdClientCert: ssl("etcd-client.pem"),
    etcdClientKey: ssl("etcd-client-key.pem"),
    tokenCsv: config("token.csv"),
    controllerManagerKubeconfig: config("kube-controller-manager.kubeconfig"),
    schedulerKubeconfig: config("kube-scheduler.kubeconfig"),
    adminCert: ssl("admin.pem"),
    adminKey: ssl("admin-key.pem"),
    frontProxyCa: ssl(KUBE_MASTER_FILES.frontProxyCa),
    frontProxyClientCert: ssl(KUBE_MASTER_FILES.frontProxyClientCert),
    frontProxyClientKey: ssl(KUBE_MASTER_FILES.frontProxyClientKey),
    encryptionConfig: config("encryption-config.yaml"),
  };
}
