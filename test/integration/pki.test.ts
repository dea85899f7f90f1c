/**
 * The cluster's PKI, generated in-process and checked with the real tools: openssl verifies every
 * certificate against its CA and shows the names and usages; kubectl reads every kubeconfig; a TLS
 * server using the kubernetes certificate accepts the admin client and refuses a client of another
 * CA; a server set up as etcd refuses kube-proxy's certificate and accepts the etcd client's. A
 * second run changes nothing; a new master reissues the kubernetes certificate only.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync, mkdtempSync } from "node:fs";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCa, issueCertificate } from "../../lib/pki/certificate.js";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { kubectl } from "../helpers/kubectl.js";
import { runCollecting, statuses } from "../helpers/run.js";

const generateOnly = { ...pkiPlaybook, plays: [pkiPlaybook.plays[0]!] };
const CERTIFICATES = ["kubernetes", "kube-proxy", "admin", "kube-controller-manager", "kube-scheduler", "kube-apiserver-kubelet-client", "etcd", "etcd-client"];

/** An inventory whose hosts cannot be reached: generating the PKI must not need them. */
function inventory(masters: string[], extra = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "ek-pki-"));
  const host = (name: string, i: number) => `${name} ansible_host=192.0.2.${10 + i} ansible_port=1`;
  // The first etcd member talks to its peers on another network (etcd_address).
  const member = (name: string, i: number) => `${host(name, i)}${i === 0 ? " etcd_address=198.51.100.10" : ""}`;
  writeFileSync(
    join(dir, "hosts"),
    `[etcd]\n${masters.map(member).join("\n")}\n[kube_master]\n${masters.map(host).join("\n")}\n[kube_node]\nnode1 ansible_host=192.0.2.50 ansible_port=1\n[all:vars]\n${extra}\n`,
  );
  return join(dir, "hosts");
}

const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });

describe("the guide's PKI", () => {
  const hostsFile = inventory(["m1", "m2"]);
  const dir = join(hostsFile, "..", ".pki");
  let first: Awaited<ReturnType<typeof runCollecting>>;

  it("generates every file on the first run, without connecting to any host", async () => {
    first = await runCollecting(generateOnly, hostsFile);
    expect(first.exitCode).toBe(0);
    for (const name of ["ca", "etcd-ca", ...CERTIFICATES]) expect(statSync(join(dir, `${name}.pem`)).isFile()).toBe(true);
    expect((statSync(dir).mode & 0o777).toString(8)).toBe("700");
    const secrets = ["ca-key.pem", "etcd-ca-key.pem", ...CERTIFICATES.map((c) => `${c}-key.pem`), "sa.key", "token.csv", "kubeconfig", "bootstrap.kubeconfig", "kube-controller-manager.kubeconfig", "kube-scheduler.kubeconfig", "admin-local.kubeconfig"];
    for (const secret of secrets) {
      expect((statSync(join(dir, secret)).mode & 0o777).toString(8)).toBe("600");
    }
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toContain("*");
    expect(readFileSync(join(dir, "token.csv"), "utf8")).toMatch(/^[0-9a-f]{32},kubelet-bootstrap,10001,"system:kubelet-bootstrap"\n$/);
  });

  it("openssl verifies every certificate against the CA, and shows the right names and usages", () => {
    for (const name of CERTIFICATES) {
      const ca = name.startsWith("etcd") ? "etcd-ca.pem" : "ca.pem";
      const other = name.startsWith("etcd") ? "ca.pem" : "etcd-ca.pem";
      expect(openssl("verify", "-CAfile", join(dir, ca), join(dir, `${name}.pem`))).toContain(": OK");
      expect(() => execFileSync("openssl", ["verify", "-CAfile", join(dir, other), join(dir, `${name}.pem`)], { stdio: "pipe" })).toThrow();
    }
    const ca = openssl("x509", "-in", join(dir, "ca.pem"), "-noout", "-text");
    expect(ca).toMatch(/CA:TRUE/);
    expect(ca).toMatch(/Certificate Sign, CRL Sign/);
    const kubernetes = openssl("x509", "-in", join(dir, "kubernetes.pem"), "-noout", "-text");
    expect(kubernetes).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(kubernetes).toContain("CA:FALSE");
    for (const name of ["IP Address:127.0.0.1", "IP Address:192.0.2.10", "DNS:m1", "IP Address:192.0.2.11", "DNS:m2", "IP Address:10.254.0.1", "DNS:kubernetes.default.svc.cluster.local"]) {
      expect(kubernetes).toContain(name);
    }
    expect(kubernetes).not.toContain("192.0.2.50"); // nodes are not servers
    const etcd = openssl("x509", "-in", join(dir, "etcd.pem"), "-noout", "-text");
    for (const name of ["IP Address:127.0.0.1", "IP Address:192.0.2.10", "DNS:m1", "IP Address:198.51.100.10", "IP Address:192.0.2.11", "DNS:m2"]) expect(etcd).toContain(name);
    expect(etcd).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(openssl("x509", "-in", join(dir, "etcd-client.pem"), "-noout", "-ext", "extendedKeyUsage")).toMatch(/TLS Web Client Authentication\s*$/);
    const subject = (name: string) => openssl("x509", "-in", join(dir, `${name}.pem`), "-noout", "-subject");
    expect(subject("kube-controller-manager")).toMatch(/CN = system:kube-controller-manager$/m);
    expect(subject("kube-scheduler")).toMatch(/CN = system:kube-scheduler$/m);
    expect(subject("kube-apiserver-kubelet-client")).toMatch(/O = system:masters, OU = System, CN = kube-apiserver-kubelet-client$/m);
    expect(openssl("x509", "-in", join(dir, "admin.pem"), "-noout", "-subject")).toMatch(/O = system:masters, OU = System, CN = admin/);
    expect(openssl("x509", "-in", join(dir, "kube-proxy.pem"), "-noout", "-subject")).toMatch(/CN = system:kube-proxy/);
    expect(openssl("x509", "-in", join(dir, "admin.pem"), "-noout", "-ext", "extendedKeyUsage")).toMatch(/TLS Web Client Authentication\s*$/);
  });

  it("kubectl reads each kubeconfig with the right server, user and credentials", () => {
    const view = (file: string, path: string) => execFileSync(kubectl(), ["config", "view", "--raw", "--kubeconfig", join(dir, file), "-o", `jsonpath=${path}`], { encoding: "utf8" });
    for (const [file, user] of [["kube-controller-manager.kubeconfig", "system:kube-controller-manager"], ["kube-scheduler.kubeconfig", "system:kube-scheduler"]] as const) {
      // They run on the master and reach its own apiserver.
      expect(view(file, "{.clusters[0].cluster.server}")).toBe("https://127.0.0.1:6443");
      expect(view(file, "{.users[0].name}")).toBe(user);
      expect(Buffer.from(view(file, "{.users[0].user.client-certificate-data}"), "base64").toString()).toBe(readFileSync(join(dir, `${file.replace(".kubeconfig", "")}.pem`), "utf8"));
    }
    // Two masters and no load balancer: nodes dial the proxy on their own 127.0.0.1, the administrator the first master.
    for (const [file, user, server] of [["kubeconfig", "admin", "https://192.0.2.10:6443"], ["kube-proxy.kubeconfig", "kube-proxy", "https://127.0.0.1:8443"], ["bootstrap.kubeconfig", "kubelet-bootstrap", "https://127.0.0.1:8443"]] as const) {
      expect(view(file, "{.clusters[0].cluster.server}")).toBe(server);
      expect(view(file, "{.users[0].name}")).toBe(user);
      expect(Buffer.from(view(file, "{.clusters[0].cluster.certificate-authority-data}"), "base64").toString()).toBe(readFileSync(join(dir, "ca.pem"), "utf8"));
    }
    expect(Buffer.from(view("kubeconfig", "{.users[0].user.client-certificate-data}"), "base64").toString()).toBe(readFileSync(join(dir, "admin.pem"), "utf8"));
    // Root's on each master: the same identity, naming that master's own apiserver.
    expect(view("admin-local.kubeconfig", "{.clusters[0].cluster.server}")).toBe("https://127.0.0.1:6443");
    expect(Buffer.from(view("admin-local.kubeconfig", "{.users[0].user.client-certificate-data}"), "base64").toString()).toBe(readFileSync(join(dir, "admin.pem"), "utf8"));
    expect(view("bootstrap.kubeconfig", "{.users[0].user.token}")).toBe(readFileSync(join(dir, "token.csv"), "utf8").split(",")[0]);
  });

  it("makes a mutual TLS handshake: kubernetes.pem serves, admin.pem is accepted, another CA's client is refused", async () => {
    const read = (f: string) => readFileSync(join(dir, f));
    const server = createServer({ cert: read("kubernetes.pem"), key: read("kubernetes-key.pem"), ca: read("ca.pem"), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.end((req.socket as import("node:tls").TLSSocket).getPeerCertificate().subject.CN);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const get = (cert: string | Buffer, key: string | Buffer) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/", ca: read("ca.pem"), cert, key, servername: "kubernetes" }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve(body));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await get(read("admin.pem"), read("admin-key.pem"))).toBe("admin");
      const otherCa = createCa({ subject: { commonName: "someone else" }, validityDays: 1, keyBits: 2048 });
      const stranger = issueCertificate(otherCa, { subject: { commonName: "admin", organization: "system:masters" }, clientAuth: true, validityDays: 1, keyBits: 2048 });
      await expect(get(stranger.certPem, stranger.keyPem)).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it("the service account key pair is RSA and sa.pub belongs to sa.key", () => {
    expect(openssl("rsa", "-in", join(dir, "sa.key"), "-check", "-noout")).toContain("RSA key ok");
    expect(openssl("rsa", "-in", join(dir, "sa.key"), "-pubout")).toBe(readFileSync(join(dir, "sa.pub"), "utf8"));
  });

  it("a server set up as etcd (etcd.pem, trusting etcd-ca.pem only) accepts the etcd client and refuses kube-proxy, kubernetes and admin", async () => {
    const read = (f: string) => readFileSync(join(dir, f));
    const server = createServer({ cert: read("etcd.pem"), key: read("etcd-key.pem"), ca: read("etcd-ca.pem"), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.end((req.socket as import("node:tls").TLSSocket).getPeerCertificate().subject.CN);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const get = (name: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/", ca: read("etcd-ca.pem"), cert: read(`${name}.pem`), key: read(`${name}-key.pem`) }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve(body));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await get("etcd-client")).toBe("etcd-client");
      for (const stranger of ["kube-proxy", "kubernetes", "admin"]) await expect(get(stranger)).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it("refuses the local proxy on the apiserver's port, and a load balancer that is not https, before writing anything", async () => {
    const fresh = inventory(["m1", "m2"]);
    await expect(runCollecting(generateOnly, fresh, { extraVars: { kube_apiserver_local_proxy_port: 6443 } })).rejects.toThrow(/kube_apiserver_local_proxy_port 6443 is kube_apiserver_port too/);
    await expect(runCollecting(generateOnly, fresh, { extraVars: { pki_apiserver_url: "http://lb.example:6443" } })).rejects.toThrow(/pki_apiserver_url 'http:\/\/lb.example:6443' must be an https:\/\/ URL/);
    expect(existsSync(join(fresh, "..", ".pki"))).toBe(false);
  });

  it("a second run generates nothing", async () => {
    const again = await runCollecting(generateOnly, hostsFile);
    expect(Object.values(again.stats).map((c) => c.changed)).toEqual([0, 0, 0]);
  });

  it("a new master reissues the kubernetes certificate only, from the same CA and key", async () => {
    const before = Object.fromEntries(["ca.pem", "kubernetes.pem", "kubernetes-key.pem", "admin.pem", "kube-proxy.pem", "kubeconfig", "etcd.pem"].map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    // Appended: the first master (the kubeconfigs' server) stays the same.
    writeFileSync(hostsFile, readFileSync(hostsFile, "utf8").replace("[kube_node]\n", "m3 ansible_host=192.0.2.13 ansible_port=1\n[kube_node]\n"));
    const run = await runCollecting(generateOnly, hostsFile);
    expect(run.results.filter((r) => r.status === "changed").map((r) => `${r.task}:${r.item ?? ""}`)).toEqual(["certificates:kubernetes"]);
    expect(run.results.find((r) => r.item === "kubernetes")?.changes[0]).toMatch(/reissue kubernetes.pem: does not cover 192.0.2.13, m3/);
    const after = (f: string) => readFileSync(join(dir, f), "utf8");
    expect(after("kubernetes.pem")).not.toBe(before["kubernetes.pem"]);
    for (const unchanged of ["ca.pem", "kubernetes-key.pem", "admin.pem", "kube-proxy.pem", "kubeconfig", "etcd.pem"]) expect(after(unchanged)).toBe(before[unchanged]);
    expect(openssl("x509", "-in", join(dir, "kubernetes.pem"), "-noout", "-ext", "subjectAltName")).toContain("DNS:m3");
  });

  it("renews a named certificate on request, with a new key, and keys never appear in the output", async () => {
    const oldKey = readFileSync(join(dir, "admin-key.pem"), "utf8");
    const run = await runCollecting(generateOnly, hostsFile, { extraVars: { pki_renew: "admin" }, diff: true });
    expect(statuses(run.results, "certificates").filter((s) => s.includes("changed"))).toEqual(["m1:changed(admin)"]);
    expect(statuses(run.results, "kubeconfigs").filter((s) => s.includes("changed"))).toEqual(["m1:changed(admin-local.kubeconfig)", "m1:changed(kubeconfig)"]);
    const newKey = readFileSync(join(dir, "admin-key.pem"), "utf8");
    expect(newKey).not.toBe(oldKey);
    const printed = JSON.stringify(run.events);
    expect(printed).not.toContain(newKey.split("\n")[1]);
    expect(printed).not.toContain("PRIVATE KEY");
  });

  it("certs status lists every certificate, flagging those that expire within the threshold", () => {
    const status = (...extra: string[]) => {
      try {
        return { code: 0, out: execFileSync("npx", ["tsx", "bin/easy-kube.mjs", "certs", "status", "-i", hostsFile, ...extra], { encoding: "utf8", cwd: join(import.meta.dirname, "../..") }) };
      } catch (error) {
        const e = error as { status: number; stdout: string };
        return { code: e.status, out: e.stdout };
      }
    };
    const ok = status();
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/control\s+admin\.pem\s+CN=admin O=system:masters/);
    expect(ok.out).toMatch(/control\s+kubernetes\.pem\s+CN=kubernetes O=k8s\s+127\.0\.0\.1,192\.0\.2\.10/);
    const warned = status("--warn-days", "400", "--json");
    expect(warned.code).toBe(1);
    const rows = JSON.parse(warned.out) as { file: string; daysLeft: number; note: string }[];
    expect(rows.find((r) => r.file === "admin.pem")).toMatchObject({ daysLeft: 364, note: "EXPIRES within 400 days" });
    expect(rows.find((r) => r.file === "ca.pem")?.note).toBe("");
  });
});
