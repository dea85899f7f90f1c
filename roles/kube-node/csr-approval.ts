/**
 * approveOwnCertificate: on a node whose kubelet has no certificate of the kind yet, wait for the
 * kubelet's request and approve it if (and only if) csr-review.ts accepts it, then wait until
 * kubelet wrote the issued certificate. The key a bootstrapping kubelet holds is read on the node
 * itself: only its public half (openssl on the host) crosses the connection. A node that has its
 * certificate is left alone, so a re-run never bootstraps a joined node again.
 */
import { kubeHas, OperationFailed, shellQuote, type InventoryView, type KubeApiClient, type Operation, type Target } from "easy-kube";
import { nodeApiClient, sleep } from "./api-access.ts";
import { isPending, reviewRequest, type CsrObject, type ReviewRules } from "./csr-review.ts";
import { nodeAddress, type KubeNodeVars } from "./node-context.ts";

export type CertificateKind = "client" | "serving";

/** certificates.k8s.io/v1 from 1.19; v1beta1 before. */
export function csrApiPath(version: string): string {
  return `/apis/certificates.k8s.io/${kubeHas("certificatesV1", version) ? "v1" : "v1beta1"}/certificatesigningrequests`;
}

/** Where kubelet keeps what it was issued, and the key it holds while its client request is pending. */
export function kubeletCertFiles(vars: KubeNodeVars): { client: string; serving: string; pendingClientKey: string } {
  const dir = vars.kubelet_cert_dir;
  // 1.7 writes kubelet-client.key/.crt; from 1.8 the certificate store keeps kubelet-client-current.pem
  // and the bootstrap key waits in kubelet-client.key.tmp until the certificate comes.
  return kubeHas("kubeletCertificateStore", vars.kube_version)
    ? { client: `${dir}/kubelet-client-current.pem`, serving: `${dir}/kubelet-server-current.pem`, pendingClientKey: `${dir}/kubelet-client.key.tmp` }
    : { client: `${dir}/kubelet-client.crt`, serving: `${dir}/kubelet-server.crt`, pendingClientKey: `${dir}/kubelet-client.key` };
}

/** Inventory-wide facts the rules need: which names are nodes, and each node's addresses. */
export function reviewRules(vars: KubeNodeVars, inventory: InventoryView, keyOf: ReviewRules["keyOf"]): ReviewRules {
  const nodes = inventory.groupHosts("kube_node");
  return {
    nodes,
    keyOf,
    addressesOf: (node) => [...new Set([nodeAddress(node, inventory.hostVars(node) as { kube_node_address?: string; ansible_host?: unknown })])],
    requireSigner: kubeHas("csrSignerName", vars.kube_version),
  };
}

async function fileExists(target: Target, path: string): Promise<boolean> {
  return (await target.connection.run(`test -s ${shellQuote(path)}`)).code === 0;
}

/** The SubjectPublicKeyInfo (DER) of a private key file on the host; undefined while there is none. */
async function publicKeyOnHost(target: Target, keyFile: string): Promise<Buffer | undefined> {
  const result = await target.connection.run(`if [ -s ${shellQuote(keyFile)} ]; then openssl pkey -in ${shellQuote(keyFile)} -pubout -outform DER | base64 | tr -d '\\n'; fi`);
  if (result.code !== 0) throw new OperationFailed(`cannot read the public half of ${keyFile} on ${target.name} (openssl is needed there): ${result.stderr.trim()}`);
  return result.stdout.trim() ? Buffer.from(result.stdout.trim(), "base64") : undefined;
}

export async function listRequests(client: KubeApiClient, version: string): Promise<CsrObject[]> {
  return ((await client.expectOk("GET", csrApiPath(version))).items ?? []) as CsrObject[];
}

async function approve(client: KubeApiClient, version: string, csr: CsrObject, node: string, kind: CertificateKind): Promise<void> {
  const v1 = kubeHas("certificatesV1", version);
  const condition = { type: "Approved", ...(v1 && { status: "True" }), reason: "EasyKubeIdentityChecked", message: `easy-kube: the ${kind} certificate request of inventory node ${node}, checked against the node's own key and names` };
  const body = { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), condition] } };
  await client.expectOk("PUT", `${csrApiPath(version)}/${csr.metadata.name}/approval`, { body });
}

export interface ApproveArgs {
  readonly kind: CertificateKind;
  readonly host: string;
  readonly vars: KubeNodeVars & { inventory_dir?: unknown };
  readonly inventory: InventoryView;
}

export function approveOwnCertificate(args: ApproveArgs): Operation {
  const { kind, host, vars } = args;
  const files = kubeletCertFiles(vars);
  const issued = kind === "client" ? files.client : files.serving;
  return {
    title: `approve ${host}'s kubelet ${kind} certificate request`,
    async plan(target) {
      if (await fileExists(target, issued)) return { changes: [] };
      return {
        changes: [`approve the ${kind} certificate request of ${host}'s kubelet (identity and key checked)`],
        apply: async () => {
          const client = nodeApiClient(target, vars, args.inventory);
          try {
            await approveWhenSent(target, client, args, issued, files.pendingClientKey);
          } finally {
            client.close();
          }
        },
      };
    },
  };
}

async function approveWhenSent(target: Target, client: KubeApiClient, args: ApproveArgs, issued: string, pendingKey: string): Promise<void> {
  const { kind, host, vars } = args;
  const deadline = Date.now() + vars.kube_node_join_timeout * 1000;
  let approved = false;
  let lastReasons: string[] = [];
  while (Date.now() < deadline) {
    if (await fileExists(target, issued)) return;
    // Every acceptable request until kubelet holds its certificate, not only the first: a kubelet
    // restarted while a request was pending (rotation turned on) asks again, and waits for the new one.
    const key = kind === "client" ? await publicKeyOnHost(target, pendingKey) : undefined;
    const rules = reviewRules(vars, args.inventory, (node) => (node === host ? key : undefined));
    lastReasons = [];
    for (const csr of (await listRequests(client, vars.kube_version)).filter(isPending)) {
      const review = reviewRequest(csr, rules);
      if (review.node !== host || review.kind !== kind) continue;
      if (review.approve) {
        await approve(client, vars.kube_version, csr, host, kind);
        approved = true;
      } else lastReasons.push(`${csr.metadata.name}: ${review.reason}`);
    }
    await sleep(2000);
  }
  throw new OperationFailed(
    approved
      ? `${host}'s ${kind} certificate was approved, but kubelet did not write ${issued} within ${vars.kube_node_join_timeout} s (see journalctl -u kubelet)`
      : `no acceptable ${kind} certificate request from ${host}'s kubelet within ${vars.kube_node_join_timeout} s${lastReasons.length ? `; left pending: ${lastReasons.join("; ")}` : " (see journalctl -u kubelet)"}`,
  );
}
