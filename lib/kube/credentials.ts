/**
 * Who the Kubernetes API client is and whom it trusts: the cluster CA and a client certificate
 * (the PKI's admin, in system:masters), or what a kubeconfig holds.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { yaml } from "../util/lazy-yaml.js";
import { EasyKubeError } from "../errors.js";

export interface KubeCredentials {
  /** The CA the API server's certificate must chain to. */
  readonly caPem: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  /** A bearer token, instead of (or besides) the client certificate. */
  readonly token?: string;
}

/** The credentials' files do not exist (yet: a dry run before the PKI is generated). */
export class MissingCredentials extends EasyKubeError {
  override readonly name = "MissingCredentials";
}

/** The PKI folder's admin identity (ca.pem, admin.pem, admin-key.pem beside the inventory). */
export function adminCredentials(pkiDir: string): KubeCredentials {
  const read = (name: string) => {
    const path = join(pkiDir, name);
    if (!existsSync(path)) throw new MissingCredentials(`${path} is missing: the Kubernetes API is reached with the PKI's admin certificate (run playbooks/pki.ts first)`);
    return readFileSync(path, "utf8");
  };
  return { caPem: read("ca.pem"), clientCertPem: read("admin.pem"), clientKeyPem: read("admin-key.pem") };
}

export interface KubeconfigAccess {
  readonly server: string;
  readonly credentials: KubeCredentials;
}

/** The current context's server and credentials from a kubeconfig file (data or file references). */
export function kubeconfigAccess(path: string): KubeconfigAccess {
  let config: Record<string, any>;
  try {
    config = yaml.parse(readFileSync(path, "utf8")) ?? {};
  } catch (error) {
    throw new EasyKubeError(`cannot read kubeconfig ${path}: ${(error as Error).message}`);
  }
  const named = (list: unknown, name: unknown) => (Array.isArray(list) ? list.find((entry) => entry?.name === name) : undefined);
  const contextName = config["current-context"] ?? config["contexts"]?.[0]?.name;
  const context = named(config["contexts"], contextName)?.context;
  const cluster = named(config["clusters"], context?.cluster)?.cluster;
  const user = named(config["users"], context?.user)?.user ?? {};
  if (!cluster?.server) throw new EasyKubeError(`kubeconfig ${path}: context '${String(contextName)}' names no cluster with a server`);
  const base = dirname(resolve(path));
  const material = (data: unknown, file: unknown, what: string): string | undefined => {
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    if (typeof file !== "string") return undefined;
    const full = isAbsolute(file) ? file : join(base, file);
    if (!existsSync(full)) throw new EasyKubeError(`kubeconfig ${path}: ${what} file ${full} does not exist`);
    return readFileSync(full, "utf8");
  };
  const caPem = material(cluster["certificate-authority-data"], cluster["certificate-authority"], "certificate-authority");
  if (!caPem) throw new EasyKubeError(`kubeconfig ${path}: the cluster has no certificate-authority; the API server's certificate must be verified`);
  return {
    server: String(cluster.server),
    credentials: {
      caPem,
      clientCertPem: material(user["client-certificate-data"], user["client-certificate"], "client-certificate"),
      clientKeyPem: material(user["client-key-data"], user["client-key"], "client-key"),
      token: typeof user.token === "string" ? user.token : undefined,
    },
  };
}
