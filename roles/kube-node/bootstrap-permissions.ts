/**
 * What the API server must allow before a kubelet can join (the guide's step 5): the bootstrap
 * identity may create certificate requests (system:node-bootstrapper), and, from 1.8, a node may ask
 * to renew its own client certificate, which the controller-manager then approves by itself (the
 * node already proves who it is with its current certificate). First-time requests are approved
 * only by this role's identity check, never automatically.
 */
import { defineRole, defineSchema, kubeObjects, rowAppliesTo } from "easy-kube";
import { pkiDir } from "./api-access.ts";
import { kubeNodeDefaults } from "./defaults.ts";

export function bootstrapBindings(vars: { kube_version: string; kube_bootstrap_token_auth: boolean; kubelet_rotate_certificates: boolean }): object[] {
  const rbac = "rbac.authorization.k8s.io";
  const apiVersion = `${rbac}/${rowAppliesTo({ since: "1.8" }, vars.kube_version) ? "v1" : "v1beta1"}`;
  const binding = (name: string, role: string, subjects: object[]) => ({ apiVersion, kind: "ClusterRoleBinding", metadata: { name }, roleRef: { apiGroup: rbac, kind: "ClusterRole", name: role }, subjects });
  return [
    binding("kubelet-bootstrap", "system:node-bootstrapper", [
      { apiGroup: rbac, kind: "User", name: "kubelet-bootstrap" },
      ...(vars.kube_bootstrap_token_auth ? [{ apiGroup: rbac, kind: "Group", name: "system:bootstrappers" }] : []),
    ]),
    ...(vars.kubelet_rotate_certificates && rowAppliesTo({ since: "1.8" }, vars.kube_version)
      ? [binding("easy-kube:node-client-certificate-renewal", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [{ apiGroup: rbac, kind: "Group", name: "system:nodes" }])]
      : []),
  ];
}

const schema = defineSchema({
  kube_version: kubeNodeDefaults.kube_version,
  kube_bootstrap_token_auth: kubeNodeDefaults.kube_bootstrap_token_auth,
  kubelet_rotate_certificates: kubeNodeDefaults.kubelet_rotate_certificates,
  kube_apiserver_port: kubeNodeDefaults.kube_apiserver_port,
  pki_dir: kubeNodeDefaults.pki_dir,
});

/** Played on the masters (once, through a master's SSH connection to its own 127.0.0.1 apiserver port); named kube-node so the stage's tag selects it. */
export const kubeNodeBootstrapRole = defineRole({
  name: "kube-node",
  schema,
  tasks: [
    {
      name: "allow kubelets to bootstrap (ClusterRoleBindings)",
      runOnce: true,
      action: ({ vars }) =>
        kubeObjects({
          manifests: bootstrapBindings(vars),
          source: "kube-node bootstrap bindings",
          api: { pkiDir: pkiDir(vars), port: vars.kube_apiserver_port },
          apiStartedByRun: true,
        }),
    },
  ],
});
