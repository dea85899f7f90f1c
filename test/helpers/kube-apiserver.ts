/**
 * A real kube-apiserver on loopback for the integration tests, over a real etcd on loopback
 * (Debian's etcd-server, run by hand), serving with certificates from lib/pki made in a temp
 * folder that also holds the admin identity (ca.pem, admin.pem, admin-key.pem) as a PKI folder
 * does. No controller-manager and no nodes: objects are stored, nothing rolls out.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeApiClient } from "../../lib/kube/api-client.js";
import { adminCredentials } from "../../lib/kube/credentials.js";
import { directEndpoint } from "../../lib/kube/endpoint.js";
import { createCa, issueCertificate } from "../../lib/pki/certificate.js";

export interface TestApiserver {
  readonly server: string;
  readonly port: number;
  /** ca.pem, admin.pem, admin-key.pem (and the server's own kubernetes*.pem). */
  readonly pkiDir: string;
  readonly stop: () => void;
}

/** A built kube-apiserver in the bundle's Kubernetes build cache (its `<build>/bin/`), if there is one. */
export function findApiserver(root = process.env["EASYKUBE_BUILD_CACHE"] ?? "/var/cache/easy-kube/kubernetes", depth = 3): string | undefined {
  if (depth === 0 || !existsSync(root)) return undefined;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isFile() && entry.name === "kube-apiserver" && (statSync(path).mode & 0o111) !== 0) return path;
    if (entry.isDirectory() && entry.name !== "go-build" && entry.name !== "source" && entry.name !== "tree") {
      const found = findApiserver(path, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

export async function startApiserver(binary: string): Promise<TestApiserver> {
  const dir = mkdtempSync(join(tmpdir(), "ek-apiserver-"));
  const pkiDir = join(dir, "pki");
  mkdirSync(pkiDir, { mode: 0o700 });
  const base = { validityDays: 1, keyBits: 2048 };
  const ca = createCa({ ...base, subject: { commonName: "kubernetes" } });
  const serving = issueCertificate(ca, { ...base, subject: { commonName: "kubernetes", organization: "k8s" }, hosts: ["127.0.0.1", "localhost"], serverAuth: true, clientAuth: true });
  const admin = issueCertificate(ca, { ...base, subject: { commonName: "admin", organization: "system:masters" }, clientAuth: true });
  const files: Record<string, string> = { "ca.pem": ca.certPem, "kubernetes.pem": serving.certPem, "kubernetes-key.pem": serving.keyPem, "admin.pem": admin.certPem, "admin-key.pem": admin.keyPem };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(pkiDir, name), text, { mode: 0o600 });

  const [etcdClient, etcdPeer, port] = [await freePort(), await freePort(), await freePort()];
  const processes: ChildProcess[] = [];
  const logs: Record<string, string> = { etcd: "", apiserver: "" };
  const start = (name: string, program: string, args: string[]) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => (logs[name] = (logs[name] + chunk.toString()).slice(-20_000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    processes.push(child);
  };
  const stop = () => {
    for (const child of processes.reverse()) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  start("etcd", "etcd", [
    "--name=test",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
  ]);
  const ssl = (name: string) => join(pkiDir, name);
  start("apiserver", binary, [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    "--insecure-port=0",
    `--cert-dir=${join(dir, "certs")}`,
    `--tls-cert-file=${ssl("kubernetes.pem")}`,
    `--tls-private-key-file=${ssl("kubernetes-key.pem")}`,
    `--client-ca-file=${ssl("ca.pem")}`,
    `--service-account-key-file=${ssl("kubernetes-key.pem")}`,
    `--service-account-signing-key-file=${ssl("kubernetes-key.pem")}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    "--service-cluster-ip-range=10.254.0.0/16",
    "--authorization-mode=Node,RBAC",
    // The endpoints of the `kubernetes` Service may not be a loopback address.
    "--endpoint-reconciler-type=none",
  ]);
  const server = `https://127.0.0.1:${port}`;
  const client = new KubeApiClient(directEndpoint(server, adminCredentials(pkiDir)));
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      const exited = processes.find((p) => p.exitCode !== null);
      if (exited) throw new Error(`${exited === processes[0] ? "etcd" : "kube-apiserver"} exited:\n${logs[exited === processes[0] ? "etcd" : "apiserver"]}`);
      const ready = await client.request("GET", "/readyz").catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`kube-apiserver was not ready within 120 s:\n${logs["apiserver"]}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    stop();
    throw error;
  } finally {
    client.close();
  }
  return { server, port, pkiDir, stop };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
