/**
 * The approval rules for kubelet certificate requests (roles/kube-node/csr-review.ts) on real
 * PKCS#10 requests made by openssl: ECDSA keys as kubelet makes them, RSA too.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { CLIENT_SIGNER, SERVING_SIGNER, parseCertificateRequest, reviewRequest, type CsrObject, type ReviewRules } from "../../roles/kube-node/csr-review.js";

const dir = mkdtempSync(join(tmpdir(), "ek-csr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function key(type: "ec" | "rsa" = "ec"): string {
  const file = join(dir, `key${counter++}.pem`);
  const args = type === "ec" ? ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file] : ["genrsa", "-out", file, "2048"];
  execFileSync("openssl", args, { stdio: "ignore" });
  return file;
}

function request(keyFile: string, subject: string, sans?: string): string {
  const args = ["req", "-new", "-key", keyFile, "-subj", subject];
  if (sans) args.push("-addext", `subjectAltName=${sans}`);
  return execFileSync("openssl", args, { encoding: "utf8" });
}

const spki = (keyFile: string) => createPublicKey(readFileSync(keyFile)).export({ type: "spki", format: "der" });

function csr(pem: string, spec: Partial<CsrObject["spec"]> = {}): CsrObject {
  return {
    metadata: { name: `node-csr-${counter++}` },
    spec: { request: Buffer.from(pem).toString("base64"), username: "kubelet-bootstrap", usages: ["digital signature", "key encipherment", "client auth"], signerName: CLIENT_SIGNER, ...spec },
  };
}

const nodeKey = key();
const rules: ReviewRules = { nodes: ["node1", "node2"], keyOf: (n) => (n === "node1" ? spki(nodeKey) : undefined), addressesOf: (n) => (n === "node1" ? ["10.0.0.11"] : ["10.0.0.12"]), requireSigner: true };
const node1 = "/O=system:nodes/CN=system:node:node1";

describe("kubelet client certificate requests", () => {
  it("reads subject, key and signature of an ECDSA and an RSA request", () => {
    const parsed = parseCertificateRequest(request(nodeKey, node1));
    expect(parsed).toMatchObject({ commonNames: ["system:node:node1"], organizations: ["system:nodes"], otherSubjectAttributes: [], dnsNames: [], ipAddresses: [], signatureValid: true });
    expect(parsed.publicKeyDer.equals(spki(nodeKey))).toBe(true);
    const rsa = key("rsa");
    expect(parseCertificateRequest(request(rsa, node1, "DNS:node1,IP:10.0.0.11"))).toMatchObject({ signatureValid: true, dnsNames: ["node1"], ipAddresses: ["10.0.0.11"] });
  });

  it("approves the bootstrap identity's request for an inventory node with the key that node holds", () => {
    expect(reviewRequest(csr(request(nodeKey, node1)), rules)).toEqual({ approve: true, node: "node1", kind: "client" });
    expect(reviewRequest(csr(request(nodeKey, node1), { username: "system:bootstrap:abc123" }), rules)).toMatchObject({ approve: true });
    // certificates.k8s.io/v1beta1 of 1.7 has no signer.
    expect(reviewRequest(csr(request(nodeKey, node1), { signerName: undefined }), { ...rules, requireSigner: false })).toMatchObject({ approve: true });
  });

  it("leaves every other request pending, with the reason", () => {
    const other = key();
    const cases: [CsrObject, string][] = [
      [csr(request(nodeKey, "/O=system:nodes/CN=system:node:intruder")), "intruder is not a node of this inventory"],
      [csr(request(other, node1)), "its public key is not the key node1's kubelet holds on disk"],
      [csr(request(other, "/O=system:nodes/CN=system:node:node2")), "no bootstrap key of node2's kubelet was read in this run (node2 has joined already, or did not run the role)"],
      [csr(request(nodeKey, node1), { username: "mallory" }), "requested by mallory, not the bootstrap identity (kubelet-bootstrap or system:bootstrap:<token id>)"],
      [csr(request(nodeKey, node1), { username: "system:node:node1" }), "requested by system:node:node1, not the bootstrap identity (kubelet-bootstrap or system:bootstrap:<token id>)"],
      [csr(request(nodeKey, node1), { usages: ["digital signature", "key encipherment", "client auth", "server auth"] }), "asks for usages server auth beyond digital signature, key encipherment, client auth"],
      [csr(request(nodeKey, node1), { usages: ["digital signature"] }), "does not ask for client auth"],
      [csr(request(nodeKey, node1), { signerName: "kubernetes.io/kube-apiserver-client" }), "signer kubernetes.io/kube-apiserver-client is not kubernetes.io/kube-apiserver-client-kubelet"],
      [csr(request(nodeKey, node1), { signerName: undefined }), "signer (none) is not kubernetes.io/kube-apiserver-client-kubelet"],
      [csr(request(nodeKey, "/O=system:masters/CN=system:node:node1")), "its subject O=system:masters is not system:nodes"],
      [csr(request(nodeKey, "/O=system:nodes/O=system:masters/CN=system:node:node1")), "its subject O=system:nodes,system:masters is not system:nodes"],
      [csr(request(nodeKey, "/O=system:nodes/OU=x/CN=system:node:node1")), "its subject has more than CN and O (2.5.4.11)"],
      [csr(request(nodeKey, "/O=system:nodes/CN=admin")), "its subject CN=admin is not system:node:<name>"],
      // node1's own key, asking for node2's name in a second CN (the signer issues to the last).
      [csr(request(nodeKey, "/CN=system:node:node1/CN=system:node:node2/O=system:nodes")), "its subject has 2 CNs (system:node:node1, system:node:node2): a certificate would be issued to the last one"],
      [csr(request(nodeKey, node1, "DNS:node1")), "a client certificate request must not name hosts or addresses"],
    ];
    for (const [request, reason] of cases) expect(reviewRequest(request, rules)).toMatchObject({ approve: false, reason });
  });

  it("refuses a request whose signature does not match its key", () => {
    const pem = request(nodeKey, node1);
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
    der[der.length - 5] = der[der.length - 5]! ^ 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(reviewRequest(csr(tampered), rules)).toMatchObject({ approve: false, reason: "its signature does not verify with its own public key" });
  });
});

describe("kubelet serving certificate requests", () => {
  const serving = (subject: string, sans: string, spec: Partial<CsrObject["spec"]> = {}) =>
    csr(request(key(), subject, sans), { signerName: SERVING_SIGNER, username: "system:node:node1", usages: ["digital signature", "key encipherment", "server auth"], ...spec });

  it("approves the node's own request naming only its name and addresses", () => {
    expect(reviewRequest(serving(node1, "DNS:node1,IP:10.0.0.11"), rules)).toEqual({ approve: true, node: "node1", kind: "serving" });
  });

  it("refuses another node's request, foreign names and client usages", () => {
    expect(reviewRequest(serving(node1, "DNS:node1,IP:10.0.0.12"), rules)).toMatchObject({ approve: false, reason: "names 10.0.0.12, which node1 is not (it is node1, 10.0.0.11)" });
    expect(reviewRequest(serving(node1, "DNS:node1,IP:10.0.0.11", { username: "system:node:node2" }), rules)).toMatchObject({ approve: false, reason: "requested by system:node:node2, not by system:node:node1 itself" });
    expect(reviewRequest(serving(node1, "DNS:node1", { usages: ["digital signature", "client auth"] }), rules)).toMatchObject({ approve: false, reason: "asks for usages client auth beyond digital signature, key encipherment, server auth" });
  });
});
