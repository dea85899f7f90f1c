/**
 * X.509 certificates with node-forge: a real CA (basicConstraints CA:true, keyCertSign, cRLSign)
 * and leaf certificates with the key usages Kubernetes expects. Keys are RSA, generated with Node's
 * native crypto (forge's pure-JS generation takes seconds per key) and handled by forge as PEM.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import type Forge from "node-forge";
import { lazyRequire } from "../util/lazy-require.js";

/** node-forge is loaded when a certificate is first made or read: runs without PKI work never load it. */
const forge = lazyRequire<typeof Forge>("node-forge");

export interface Subject {
  readonly commonName: string;
  /** O: Kubernetes reads it as the user's groups (system:masters for the admin). */
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly country?: string;
  readonly state?: string;
  readonly locality?: string;
}

export interface CertificateProfile {
  readonly subject: Subject;
  /** DNS names and IP addresses the certificate is valid for. */
  readonly hosts?: readonly string[];
  readonly serverAuth?: boolean;
  readonly clientAuth?: boolean;
  readonly validityDays: number;
  readonly keyBits: number;
}

export interface KeyAndCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export function generateRsaKeyPem(bits: number): string {
  return generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

function subjectAttributes(subject: Subject): Forge.pki.CertificateField[] {
  const fields: Forge.pki.CertificateField[] = [];
  if (subject.country) fields.push({ shortName: "C", value: subject.country });
  if (subject.state) fields.push({ shortName: "ST", value: subject.state });
  if (subject.locality) fields.push({ shortName: "L", value: subject.locality });
  if (subject.organization) fields.push({ shortName: "O", value: subject.organization });
  if (subject.organizationalUnit) fields.push({ shortName: "OU", value: subject.organizationalUnit });
  fields.push({ shortName: "CN", value: subject.commonName });
  return fields;
}

function newCertificate(publicKey: Forge.pki.PublicKey, validityDays: number): Forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial of 16 random bytes (the top bit cleared keeps the DER integer positive).
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString("hex");
  const now = new Date();
  // Valid from a few minutes ago, so hosts whose clocks lag slightly accept it at once.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  return cert;
}

export function createCa(profile: Omit<CertificateProfile, "hosts" | "serverAuth" | "clientAuth">): KeyAndCertificate {
  const keyPem = generateRsaKeyPem(profile.keyBits);
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = newCertificate(forge.pki.setRsaPublicKey(key.n, key.e), profile.validityDays);
  cert.setSubject(subjectAttributes(profile.subject));
  cert.setIssuer(subjectAttributes(profile.subject));
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export function issueCertificate(ca: KeyAndCertificate, profile: CertificateProfile, existingKeyPem?: string): KeyAndCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keyPem = existingKeyPem ?? generateRsaKeyPem(profile.keyBits);
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = newCertificate(forge.pki.setRsaPublicKey(key.n, key.e), profile.validityDays);
  cert.setSubject(subjectAttributes(profile.subject));
  cert.setIssuer(caCert.subject.attributes);
  const altNames = (profile.hosts ?? []).map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host }));
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: !!profile.serverAuth, clientAuth: !!profile.clientAuth },
    ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface CertificateInfo {
  readonly subject: string;
  readonly commonName: string;
  readonly organization?: string;
  readonly issuer: string;
  readonly hosts: string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  readonly isCa: boolean;
}

export function describeCertificate(certPem: string): CertificateInfo {
  const cert = forge.pki.certificateFromPem(certPem);
  const field = (attrs: Forge.pki.CertificateField[], name: string) => attrs.find((a) => a.shortName === name)?.value as string | undefined;
  const dn = (attrs: Forge.pki.CertificateField[]) => attrs.map((a) => `${a.shortName}=${String(a.value)}`).join(", ");
  const altNames = (cert.getExtension("subjectAltName") as { altNames?: { type: number; value?: string; ip?: string }[] } | null)?.altNames ?? [];
  const extKeyUsage = cert.getExtension("extKeyUsage") as { serverAuth?: boolean; clientAuth?: boolean } | null;
  const basic = cert.getExtension("basicConstraints") as { cA?: boolean } | null;
  return {
    subject: dn(cert.subject.attributes),
    commonName: field(cert.subject.attributes, "CN") ?? "",
    organization: field(cert.subject.attributes, "O"),
    issuer: dn(cert.issuer.attributes),
    hosts: altNames.map((a) => (a.type === 7 ? a.ip! : a.value!)),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    serverAuth: !!extKeyUsage?.serverAuth,
    clientAuth: !!extKeyUsage?.clientAuth,
    isCa: !!basic?.cA,
  };
}

/** Whether the CA signed the certificate (checked with the CA's key, not by comparing names). */
export function signedBy(certPem: string, caCertPem: string): boolean {
  try {
    return forge.pki.certificateFromPem(caCertPem).verify(forge.pki.certificateFromPem(certPem));
  } catch {
    return false;
  }
}

/** Whether the private key belongs to the certificate. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  const cert = forge.pki.certificateFromPem(certPem);
  const key = forge.pki.privateKeyFromPem(keyPem);
  const publicKey = cert.publicKey as Forge.pki.rsa.PublicKey;
  return publicKey.n.equals(key.n) && publicKey.e.equals(key.e);
}

/**
 * Why an existing certificate no longer serves a profile (empty when it does): another CA, a
 * missing host, another subject or usage, or expiry within `renewBeforeDays`.
 */
export function shortcomings(certPem: string, keyPem: string, caCertPem: string, profile: CertificateProfile, renewBeforeDays: number): string[] {
  const info = describeCertificate(certPem);
  const problems: string[] = [];
  if (!signedBy(certPem, caCertPem)) problems.push("not signed by the current CA");
  if (!keyMatches(certPem, keyPem)) problems.push("the key does not belong to the certificate");
  const missing = (profile.hosts ?? []).filter((h) => !info.hosts.includes(h));
  if (missing.length > 0) problems.push(`does not cover ${missing.join(", ")}`);
  if (info.commonName !== profile.subject.commonName) problems.push(`CN is ${info.commonName}, expected ${profile.subject.commonName}`);
  if ((info.organization ?? "") !== (profile.subject.organization ?? "")) problems.push(`O is ${info.organization ?? "(none)"}, expected ${profile.subject.organization ?? "(none)"}`);
  if (!!profile.serverAuth !== info.serverAuth || !!profile.clientAuth !== info.clientAuth) problems.push("key usages differ");
  const daysLeft = (info.notAfter.getTime() - Date.now()) / 86_400_000;
  if (daysLeft < renewBeforeDays) problems.push(`expires in ${Math.max(0, Math.floor(daysLeft))} days`);
  return problems;
}
