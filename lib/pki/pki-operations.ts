/**
 * PKI operations run on the control machine, in-process (node-forge), whatever host the task is
 * scheduled on. Each plans from the files already in the folder: nothing is generated when what
 * exists still serves, and only what no longer covers its profile is reissued, from the same CA.
 */
import { createPublicKey, randomBytes } from "node:crypto";
import { EasyKubeError } from "../errors.js";
import { OperationFailed, type Operation, type Plan } from "../ops/operation.js";
import { createCa, describeCertificate, generateRsaKeyPem, issueCertificate, shortcomings, type CertificateProfile } from "./certificate.js";
import { parseTokenCsv, renderKubeconfig, tokenCsvLine } from "./kubeconfig.js";
import { fixFolder, folderProblems, readPkiFile, writePkiFile } from "./pki-folder.js";

export function pkiFolder(dir: string): Operation {
  return {
    title: `pki folder ${dir}`,
    async plan(): Promise<Plan> {
      const changes = folderProblems(dir);
      return changes.length === 0 ? { changes } : { changes, apply: async () => fixFolder(dir) };
    },
  };
}

export interface CaArgs {
  readonly dir: string;
  /** Base name: writes <name>.pem and <name>-key.pem. @default "ca" */
  readonly name?: string;
  readonly profile: Omit<CertificateProfile, "hosts" | "serverAuth" | "clientAuth">;
  readonly force?: boolean;
}

export function certificateAuthority(args: CaArgs): Operation {
  const name = args.name ?? "ca";
  return {
    title: `certificate authority ${name}`,
    async plan(): Promise<Plan> {
      const cert = readPkiFile(args.dir, `${name}.pem`);
      const key = readPkiFile(args.dir, `${name}-key.pem`);
      const reason = args.force ? "renewal forced" : !cert || !key ? undefined : !describeCertificate(cert).isCa ? `${name}.pem is not a CA certificate` : null;
      if (reason === null) return { changes: [] };
      return {
        changes: [reason ? `recreate ${name} (${reason}); every certificate it signs will be reissued` : `create ${name} (${name}.pem, ${name}-key.pem)`],
        async apply() {
          const ca = createCa(args.profile);
          writePkiFile(args.dir, `${name}-key.pem`, ca.keyPem, true);
          writePkiFile(args.dir, `${name}.pem`, ca.certPem, false);
        },
      };
    },
  };
}

export interface CertificateArgs {
  readonly dir: string;
  /** Base name: writes <name>.pem and <name>-key.pem. */
  readonly name: string;
  /** Base name of the signing CA in the folder. @default "ca" */
  readonly ca?: string;
  readonly profile: CertificateProfile;
  readonly renewBeforeDays: number;
  /** Reissue with a new key even if the certificate still serves. */
  readonly force?: boolean;
}

export function certificate(args: CertificateArgs): Operation {
  const certFile = `${args.name}.pem`;
  const keyFile = `${args.name}-key.pem`;
  const caFile = `${args.ca ?? "ca"}.pem`;
  const caKeyFile = `${args.ca ?? "ca"}-key.pem`;
  return {
    title: `certificate ${certFile}`,
    async plan(): Promise<Plan> {
      const caCert = readPkiFile(args.dir, caFile);
      const cert = readPkiFile(args.dir, certFile);
      const key = readPkiFile(args.dir, keyFile);
      let change: string;
      if (!cert || !key) change = `issue ${certFile}`;
      else if (args.force) change = `reissue ${certFile} with a new key (forced)`;
      else if (!caCert) change = `reissue ${certFile} (new CA ${caFile})`;
      else {
        const problems = shortcomings(cert, key, caCert, args.profile, args.renewBeforeDays);
        if (problems.length === 0) return { changes: [] };
        change = `reissue ${certFile}: ${problems.join("; ")}`;
      }
      return {
        changes: [change],
        async apply() {
          const ca = { certPem: readPkiFile(args.dir, caFile), keyPem: readPkiFile(args.dir, caKeyFile) };
          if (!ca.certPem || !ca.keyPem) throw new EasyKubeError(`cannot issue ${certFile}: ${caFile} or ${caKeyFile} is missing from ${args.dir}`);
          // A certificate reissued to cover new hosts keeps its key; a forced renewal rotates it.
          const reuseKey = !args.force && cert && key ? key : undefined;
          const issued = issueCertificate({ certPem: ca.certPem, keyPem: ca.keyPem }, args.profile, reuseKey);
          writePkiFile(args.dir, keyFile, issued.keyPem, true);
          writePkiFile(args.dir, certFile, issued.certPem, false);
        },
      };
    },
  };
}

/**
 * The service account key pair (sa.key, RSA, 0600; sa.pub, its public key): the controller-manager
 * signs service account tokens with the key, the apiserver checks them with the public key. Made
 * once; a new pair only on request (every existing token then stops working). A sa.pub that does
 * not belong to sa.key is written again from the key.
 */
export function serviceAccountKeys(dir: string, keyBits: number, force = false): Operation {
  return {
    title: "service account key pair",
    async plan(): Promise<Plan> {
      const key = readPkiFile(dir, "sa.key");
      const pub = readPkiFile(dir, "sa.pub");
      if (key && !force) {
        const wanted = publicKeyPem(key);
        if (pub === wanted) return { changes: [] };
        return { changes: [pub ? "rewrite sa.pub from sa.key (it did not belong to it)" : "write sa.pub from sa.key"], apply: async () => writePkiFile(dir, "sa.pub", wanted, false) };
      }
      return {
        changes: [force ? "new service account key pair (forced; existing service account tokens stop working)" : "create the service account key pair (sa.key, sa.pub)"],
        async apply() {
          const created = generateRsaKeyPem(keyBits);
          writePkiFile(dir, "sa.key", created, true);
          writePkiFile(dir, "sa.pub", publicKeyPem(created), false);
        },
      };
    },
  };
}

function publicKeyPem(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" }).toString();
}

/** token.csv with the kubelet bootstrap token (kube-apiserver --token-auth-file), made once. */
export function bootstrapToken(dir: string, force = false): Operation {
  return {
    title: "bootstrap token",
    async plan(): Promise<Plan> {
      const existing = readPkiFile(dir, "token.csv");
      if (existing && parseTokenCsv(existing) && !force) return { changes: [] };
      return {
        changes: [existing && !force ? "rewrite token.csv (unreadable)" : force ? "new bootstrap token (forced)" : "create token.csv"],
        apply: async () => writePkiFile(dir, "token.csv", tokenCsvLine(randomBytes(16).toString("hex")), true),
      };
    },
  };
}

/** The file holding the key the apiservers encrypt Secrets with (32 random bytes, base64). */
export const SECRETS_ENCRYPTION_KEY = "secrets-encryption.key";

/**
 * The key Secrets are encrypted with at rest, made once. Never replaced by a run: Secrets written
 * with it could no longer be read (rotating it is a documented sequence: a second key first).
 */
export function secretsEncryptionKey(dir: string): Operation {
  return {
    title: "secrets encryption key",
    async plan(): Promise<Plan> {
      const existing = readPkiFile(dir, SECRETS_ENCRYPTION_KEY);
      if (existing !== undefined) {
        if (Buffer.from(existing.trim(), "base64").length !== 32) throw new OperationFailed(`${dir}/${SECRETS_ENCRYPTION_KEY} is not a base64 32-byte key: restore it from a backup (the cluster's Secrets are encrypted with it)`);
        return { changes: [] };
      }
      return { changes: [`create ${SECRETS_ENCRYPTION_KEY}`], apply: async () => writePkiFile(dir, SECRETS_ENCRYPTION_KEY, randomBytes(32).toString("base64") + "\n", true) };
    },
  };
}

export interface KubeconfigArgs {
  readonly dir: string;
  readonly file: string;
  readonly server: string;
  readonly user: string;
  /** Client certificate base name (admin -> admin.pem, admin-key.pem), or use the bootstrap token. */
  readonly credentials: { readonly certificate: string } | "bootstrap-token";
}

/** A kubeconfig rendered from the folder's current files; rewritten when any of them changed. */
export function kubeconfig(args: KubeconfigArgs): Operation {
  const render = (): string | undefined => {
    const caPem = readPkiFile(args.dir, "ca.pem");
    if (!caPem) return undefined;
    if (args.credentials === "bootstrap-token") {
      const token = parseTokenCsv(readPkiFile(args.dir, "token.csv") ?? "");
      return token ? renderKubeconfig({ server: args.server, caPem, user: args.user, token }) : undefined;
    }
    const clientCertPem = readPkiFile(args.dir, `${args.credentials.certificate}.pem`);
    const clientKeyPem = readPkiFile(args.dir, `${args.credentials.certificate}-key.pem`);
    return clientCertPem && clientKeyPem ? renderKubeconfig({ server: args.server, caPem, user: args.user, clientCertPem, clientKeyPem }) : undefined;
  };
  return {
    title: `kubeconfig ${args.file}`,
    async plan(): Promise<Plan> {
      const existing = readPkiFile(args.dir, args.file);
      const wanted = render();
      if (wanted !== undefined && wanted === existing) return { changes: [] };
      return {
        changes: [existing ? `update ${args.file}` : `create ${args.file}`],
        async apply() {
          const content = render();
          if (content === undefined) throw new EasyKubeError(`cannot write ${args.file}: its certificate or token is missing from ${args.dir}`);
          writePkiFile(args.dir, args.file, content, true);
        },
      };
    },
  };
}
