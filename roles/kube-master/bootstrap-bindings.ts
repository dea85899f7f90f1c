/**
 * Step 5 of the guide, made with the control plane: the bootstrap identity may create certificate
 * requests (system:node-bootstrapper), and, from 1.8, a node may ask to renew its own client
 * certificate, which the controller-manager then approves by itself (the node already proves who it
 * is with its current certificate). First-time requests are approved only by kube-node's identity
 * check, never automatically.
 */
import { kubeHas } from "easy-kube";

export function bootstrapBindings(vars: { kube_version: string; kube_bootstrap_token_auth: boolean }): object[] {
  const rbac = "rbac.authorization.k8s.io";
  const apiVersion = `${rbac}/${kubeHas("rbacV1", vars.kube_version) ? "v1" : "v1beta1"}`;
  const binding = (name: string, role: string, subjects: object[]) => ({ apiVersion, kind: "ClusterRoleBinding", metadata: { name }, roleRef: { apiGroup: rbac, kind: "ClusterRole", name: role }, subjects });
  return [
    binding("kubelet-bootstrap", "system:node-bootstrapper", [
      { apiGroup: rbac, kind: "User", name: "kubelet-bootstrap" },
      ...(vars.kube_bootstrap_token_auth ? [{ apiGroup: rbac, kind: "Group", name: "system:bootstrappers" }] : []),
    ]),
    ...(kubeHas("kubeletCertificateStore", vars.kube_version)
      ? [binding("easy-kube:node-client-certificate-renewal", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [{ apiGroup: rbac, kind: "Group", name: "system:nodes" }])]
      : []),
  ];
}
