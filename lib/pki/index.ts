/** The PKI library (`easy-kube/pki`): certificates, kubeconfigs, and the guide's set of them. */
export * from "./certificate.js";
export * from "./cluster-pki.js";
export * from "./kubeconfig.js";
export * from "./pki-operations.js";
export { readPkiFile, pkiDirOf, PKI_GITIGNORE } from "./pki-folder.js";
export * from "./ca-guard.js";
export * from "./apiserver-access.js";
