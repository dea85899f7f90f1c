/**
 * Which certificate signing requests the role approves, as a pure function of the request, the
 * inventory and the keys read from the nodes. Common scripts approve every pending request, which
 * lets anyone holding the bootstrap token join under any name; here a kubelet client certificate
 * is approved only when ALL hold:
 * - it was made by the bootstrap identity: token.csv's `kubelet-bootstrap`, or a bootstrap-token
 *   secret's `system:bootstrap:<id>`;
 * - it asks for a kubelet client certificate: signer kubernetes.io/kube-apiserver-client-kubelet
 *   (certificates.k8s.io/v1; v1beta1 before 1.18 has no signer), usages within digital signature,
 *   key encipherment and client auth, and including client auth;
 * - its subject is exactly CN=system:node:<name>, O=system:nodes, without alternative names, for a
 *   node of this run's inventory, and its signature is valid;
 * - its public key is the key that node's kubelet holds on disk (read over SSH on that node).
 * A serving certificate (signer kubernetes.io/kubelet-serving, from 1.12) is approved when the node
 * itself asks (user system:node:<name>, so it already proved who it is with its client
 * certificate), for server auth, naming only that node's name and addresses.
 * Anything else stays pending, with the reason.
 */
import { createPublicKey, verify } from "node:crypto";
import { isIP } from "node:net";
import type Forge from "node-forge";
import { createRequire } from "node:module";

/** node-forge only parses the request's ASN.1; it is loaded on the first request a run reviews. */
let forgeModule: typeof Forge | undefined;
function forge(): typeof Forge {
  return (forgeModule ??= createRequire(import.meta.url)("node-forge") as typeof Forge);
}

export const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
export const SERVING_SIGNER = "kubernetes.io/kubelet-serving";
const CLIENT_USAGES = new Set(["digital signature", "key encipherment", "client auth"]);
const SERVING_USAGES = new Set(["digital signature", "key encipherment", "server auth"]);
const BOOTSTRAP_USER = "kubelet-bootstrap";
const BOOTSTRAP_TOKEN_USER = /^system:bootstrap:[a-z0-9]{6}$/;
const NODE_PREFIX = "system:node:";

/** A CertificateSigningRequest as the API returns it (certificates.k8s.io v1 or v1beta1). */
export interface CsrObject {
  readonly metadata: { readonly name: string };
  readonly spec: {
    /** The PKCS#10 request, PEM, base64-encoded. */
    readonly request: string;
    readonly username?: string;
    readonly usages?: readonly string[];
    readonly signerName?: string;
  };
  readonly status?: { readonly conditions?: readonly { readonly type: string }[]; readonly certificate?: string };
}

export interface ParsedRequest {
  /** Every CN of the subject: more than one is refused (Go's x509, and so the signer, takes the last). */
  readonly commonNames: readonly string[];
  readonly organizations: readonly string[];
  /** Subject attributes other than CN and O, as OIDs. */
  readonly otherSubjectAttributes: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** The SubjectPublicKeyInfo, DER: compared byte for byte with the node's key. */
  readonly publicKeyDer: Buffer;
  readonly signatureValid: boolean;
}

const OID = { commonName: "2.5.4.3", organization: "2.5.4.10", extensionRequest: "1.2.840.113549.1.9.14", subjectAltName: "2.5.29.17" };
const SIGNATURE_HASHES: Record<string, string> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
};

/** A PKCS#10 request (PEM) read field by field; RSA and ECDSA keys alike (forge's own parser knows only RSA). */
export function parseCertificateRequest(pem: string): ParsedRequest {
  const f = forge();
  const block = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!block) throw new Error("not a PEM certificate request");
  const der = f.util.decode64(block[1]!.replace(/\s+/g, ""));
  // Bit strings stay bytes (the signature); forge's types know only the older boolean argument.
  const root = (f.asn1.fromDer as unknown as (bytes: string, options: object) => Forge.asn1.Asn1)(der, { decodeBitStrings: false });
  const [info, algorithm, signature] = root.value as Forge.asn1.Asn1[];
  const [, subject, , attributes] = info!.value as Forge.asn1.Asn1[];
  const text = (node: Forge.asn1.Asn1) => String(node.value);

  const subjectPairs = (subject!.value as Forge.asn1.Asn1[]).flatMap((set) => (set.value as Forge.asn1.Asn1[]).map((pair) => pair.value as Forge.asn1.Asn1[]));
  const named = (oid: string) => subjectPairs.filter(([type]) => f.asn1.derToOid(text(type!)) === oid).map(([, value]) => text(value!));
  const otherSubjectAttributes = subjectPairs.map(([type]) => f.asn1.derToOid(text(type!))).filter((oid) => oid !== OID.commonName && oid !== OID.organization);

  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const attribute of attributes && Array.isArray(attributes.value) ? (attributes.value as Forge.asn1.Asn1[]) : []) {
    const [type, values] = attribute.value as Forge.asn1.Asn1[];
    if (f.asn1.derToOid(text(type!)) !== OID.extensionRequest) continue;
    for (const extensions of values!.value as Forge.asn1.Asn1[]) {
      for (const extension of extensions.value as Forge.asn1.Asn1[]) {
        const parts = extension.value as Forge.asn1.Asn1[];
        if (f.asn1.derToOid(text(parts[0]!)) !== OID.subjectAltName) continue;
        const names = f.asn1.fromDer(text(parts[parts.length - 1]!)) as Forge.asn1.Asn1;
        for (const name of names.value as Forge.asn1.Asn1[]) {
          if (name.type === 2) dnsNames.push(text(name));
          else if (name.type === 7) ipAddresses.push(ipFromBytes(Buffer.from(text(name), "binary")));
          else dnsNames.push(`(a name of type ${name.type})`);
        }
      }
    }
  }

  // The signed bytes and the key exactly as sent (a re-encoding need not be byte-identical).
  const raw = Buffer.from(der, "binary");
  const infoRaw = derElement(raw, derElement(raw, 0).contentStart);
  let offset = infoRaw.contentStart;
  for (let i = 0; i < 2; i++) offset = derElement(raw, offset).end;
  const publicKeyDer = raw.subarray(offset, derElement(raw, offset).end);
  const hash = SIGNATURE_HASHES[f.asn1.derToOid(text((algorithm!.value as Forge.asn1.Asn1[])[0]!))];
  let signatureValid = false;
  if (hash) {
    try {
      // A BIT STRING's first byte counts its unused bits (0 for signatures).
      const signatureBytes = Buffer.from(text(signature!), "binary").subarray(1);
      signatureValid = verify(hash, raw.subarray(infoRaw.start, infoRaw.end), createPublicKey({ key: publicKeyDer, format: "der", type: "spki" }), signatureBytes);
    } catch {
      signatureValid = false;
    }
  }
  return { commonNames: named(OID.commonName), organizations: named(OID.organization), otherSubjectAttributes, dnsNames, ipAddresses, publicKeyDer, signatureValid };
}

/** One DER element's bounds: where it starts, where its content starts, where it ends. */
function derElement(der: Buffer, start: number): { start: number; contentStart: number; end: number } {
  let length = der[start + 1]!;
  let contentStart = start + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += count;
  }
  if (contentStart + length > der.length) throw new Error("truncated DER");
  return { start, contentStart, end: contentStart + length };
}

function ipFromBytes(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(":");
}

export function isPending(csr: CsrObject): boolean {
  return !(csr.status?.conditions ?? []).some((c) => c.type === "Approved" || c.type === "Denied" || c.type === "Failed");
}

export interface ReviewRules {
  /** The inventory's kubelet hosts: names a certificate may be issued to. */
  readonly nodes: readonly string[];
  /** The SubjectPublicKeyInfo (DER) of the key a node's kubelet holds while it bootstraps; undefined when none was read. */
  readonly keyOf: (node: string) => Buffer | undefined;
  /** The addresses a node's serving certificate may name. */
  readonly addressesOf: (node: string) => readonly string[];
  /** certificates.k8s.io/v1 (1.19+) always carries a signer; v1beta1 before 1.18 has none. */
  readonly requireSigner: boolean;
}

export type Review =
  | { readonly approve: true; readonly node: string; readonly kind: "client" | "serving" }
  | { readonly approve: false; readonly node?: string; readonly kind?: "client" | "serving"; readonly reason: string };

export function reviewRequest(csr: CsrObject, rules: ReviewRules): Review {
  const signer = csr.spec.signerName;
  if (signer === SERVING_SIGNER) return reviewServing(csr, rules);
  if (signer !== CLIENT_SIGNER && (rules.requireSigner || signer !== undefined)) return { approve: false, reason: `signer ${signer ?? "(none)"} is not ${CLIENT_SIGNER}` };
  const user = csr.spec.username ?? "";
  if (user !== BOOTSTRAP_USER && !BOOTSTRAP_TOKEN_USER.test(user)) return { approve: false, reason: `requested by ${user || "(nobody)"}, not the bootstrap identity (${BOOTSTRAP_USER} or system:bootstrap:<token id>)` };
  const usageProblem = usagesProblem(csr.spec.usages ?? [], CLIENT_USAGES, "client auth");
  if (usageProblem) return { approve: false, kind: "client", reason: usageProblem };
  const checked = subjectProblem(csr, rules);
  if ("reason" in checked) return { approve: false, kind: "client", ...checked };
  const { node, request } = checked;
  if (request.dnsNames.length + request.ipAddresses.length > 0) return { approve: false, node, kind: "client", reason: "a client certificate request must not name hosts or addresses" };
  const key = rules.keyOf(node);
  if (!key) return { approve: false, node, kind: "client", reason: `no bootstrap key of ${node}'s kubelet was read in this run (${node} has joined already, or did not run the role)` };
  if (!key.equals(request.publicKeyDer)) return { approve: false, node, kind: "client", reason: `its public key is not the key ${node}'s kubelet holds on disk` };
  return { approve: true, node, kind: "client" };
}

function reviewServing(csr: CsrObject, rules: ReviewRules): Review {
  const usageProblem = usagesProblem(csr.spec.usages ?? [], SERVING_USAGES, "server auth");
  if (usageProblem) return { approve: false, kind: "serving", reason: usageProblem };
  const checked = subjectProblem(csr, rules);
  if ("reason" in checked) return { approve: false, kind: "serving", ...checked };
  const { node, request } = checked;
  if (csr.spec.username !== `${NODE_PREFIX}${node}`) return { approve: false, node, kind: "serving", reason: `requested by ${csr.spec.username ?? "(nobody)"}, not by ${NODE_PREFIX}${node} itself` };
  const allowed = new Set([node, ...rules.addressesOf(node)]);
  const foreign = [...request.dnsNames, ...request.ipAddresses].filter((n) => !allowed.has(n));
  if (foreign.length > 0) return { approve: false, node, kind: "serving", reason: `names ${foreign.join(", ")}, which ${node} is not (it is ${[...allowed].join(", ")})` };
  if (request.ipAddresses.length === 0 && request.dnsNames.filter((n) => !isIP(n)).length === 0) return { approve: false, node, kind: "serving", reason: "names no host or address" };
  return { approve: true, node, kind: "serving" };
}

function usagesProblem(usages: readonly string[], allowed: ReadonlySet<string>, required: string): string | undefined {
  const extra = usages.filter((u) => !allowed.has(u));
  if (extra.length > 0) return `asks for usages ${extra.join(", ")} beyond ${[...allowed].join(", ")}`;
  if (!usages.includes(required)) return `does not ask for ${required}`;
  return undefined;
}

function subjectProblem(csr: CsrObject, rules: ReviewRules): { node: string; request: ParsedRequest } | { node?: string; reason: string } {
  let request: ParsedRequest;
  try {
    request = parseCertificateRequest(Buffer.from(csr.spec.request, "base64").toString("utf8"));
  } catch (error) {
    return { reason: `its request cannot be read: ${(error as Error).message}` };
  }
  if (request.commonNames.length > 1) return { reason: `its subject has ${request.commonNames.length} CNs (${request.commonNames.join(", ")}): a certificate would be issued to the last one` };
  const cn = request.commonNames[0] ?? "";
  if (!cn.startsWith(NODE_PREFIX)) return { reason: `its subject CN=${cn || "(none)"} is not system:node:<name>` };
  const node = cn.slice(NODE_PREFIX.length);
  if (request.organizations.length !== 1 || request.organizations[0] !== "system:nodes") return { node, reason: `its subject O=${request.organizations.join(",") || "(none)"} is not system:nodes` };
  if (request.otherSubjectAttributes.length > 0) return { node, reason: `its subject has more than CN and O (${request.otherSubjectAttributes.join(", ")})` };
  if (!rules.nodes.includes(node)) return { node, reason: `${node} is not a node of this inventory` };
  if (!request.signatureValid) return { node, reason: "its signature does not verify with its own public key" };
  return { node, request };
}
