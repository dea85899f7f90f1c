/**
 * What the cluster tests do from the control machine, as a user would: kubectl with the admin
 * kubeconfig, a certificate request an attacker holding the bootstrap token could make, a small
 * web Deployment of the bundled busybox image behind a Service, and the question a pod asks
 * another over plain TCP (busybox's nc: its wget crashes on static glibc lookups).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type Kubectl = (...args: string[]) => Promise<string>;

/** The kubectl built with the cluster, run with the PKI folder's admin kubeconfig. */
export function kubectlFor(kubectlBin: string, pkiDir: string): Kubectl {
  return async (...args) => (await run(kubectlBin, ["--kubeconfig", join(pkiDir, "kubeconfig"), ...args], { timeout: 60_000 })).stdout;
}

/** A key and a certificate request for `cn` in system:nodes, made with openssl as an attacker would. */
export function rogueRequest(name: string, cn: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ek-rogue-"));
  execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "csr.pem"), "-subj", `/O=system:nodes/CN=${cn}`], { stdio: "ignore" });
  const request = Buffer.from(readFileSync(join(dir, "csr.pem"))).toString("base64");
  const manifest = join(dir, "csr.yaml");
  writeFileSync(
    manifest,
    `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: ${name}\nspec:\n  request: ${request}\n  signerName: kubernetes.io/kube-apiserver-client-kubelet\n  usages: [digital signature, key encipherment, client auth]\n`,
  );
  return manifest;
}

/** Three busybox web pods spread over the nodes (masters' taint tolerated) and a Service of `type`. */
export function webManifest(namespace: string, masterTaintKey: string, serviceType: "ClusterIP" | "NodePort" = "ClusterIP"): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      tolerations: [{key: ${masterTaintKey}, effect: NoSchedule}]
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]
      containers:
      - {name: web, image: "busybox:1.35", imagePullPolicy: IfNotPresent, command: [sh, -c, "echo serving as $(hostname); exec httpd -f -p 8080 -h /etc"]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${namespace}}
spec:
  type: ${serviceType}
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
}

/** The shell command a pod runs to ask `address:port` for /hostname (the answering pod's name). */
export function askHostname(address: string, port: number): string {
  return `printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${address} ${port} | tail -1`;
}

export type WebPod = [name: string, node: string, ip: string];

/** The web Deployment and its Service applied in `namespace`, rolled out; its pods as name, node and address. */
export async function deployWeb(kubectl: Kubectl, folder: string, namespace: string, masterTaintKey: string, serviceType: "ClusterIP" | "NodePort" = "ClusterIP"): Promise<WebPod[]> {
  const manifest = join(folder, "web.yaml");
  writeFileSync(manifest, webManifest(namespace, masterTaintKey, serviceType));
  await kubectl("apply", "-f", manifest);
  await kubectl("-n", namespace, "rollout", "status", "deployment/web", "--timeout=180s");
  const columns = "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,IP:.status.podIP";
  return (await kubectl("-n", namespace, "get", "pods", "-l", "app=web", "--no-headers", "-o", columns)).trim().split("\n").map((l) => l.trim().split(/\s+/) as WebPod);
}
