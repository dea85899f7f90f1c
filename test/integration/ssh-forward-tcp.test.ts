/**
 * SshConnection.forwardTcp on the loopback sshd: a stream to a port as the host sees it carries
 * bytes both ways, and the Kubernetes API client runs mutual TLS over it (server verified against
 * the CA and the address 127.0.0.1, client certificate required); a port nobody listens on is an
 * error that names the host and the port.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createServer as createHttpsServer, type Server } from "node:https";
import { createServer, type AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { SshConnection } from "../../lib/connection/ssh.js";
import { withBecome } from "../../lib/connection/with-become.js";
import type { Connection } from "../../lib/connection/types.js";
import { KubeApiClient } from "../../lib/kube/api-client.js";
import { tunnelEndpoint } from "../../lib/kube/endpoint.js";
import { createCa, issueCertificate } from "../../lib/pki/certificate.js";
import { sshdSettings } from "../helpers/ssh-settings.js";
import { startSshd } from "../helpers/sshd.js";

describe("forwarded TCP channels of the SSH connection", () => {
  let ssh: SshConnection;
  beforeAll(() => void (ssh = new SshConnection(sshdSettings(inject("sshd")))));
  afterAll(() => ssh?.close());

  it("carries bytes both ways to a port on the host", async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const stream = await ssh.forwardTcp("127.0.0.1", (echo.address() as AddressInfo).port);
      const answer = new Promise<string>((resolve) => stream.once("data", (chunk: Buffer) => resolve(chunk.toString())));
      stream.write("ping through ssh");
      expect(await answer).toBe("ping through ssh");
      stream.end();
    } finally {
      echo.close();
    }
  });

  it("says which host and port it could not reach", async () => {
    await expect(ssh.forwardTcp("127.0.0.1", 1)).rejects.toThrow(/cannot reach 127\.0\.0\.1:1 from testhost through its SSH connection/);
  });

  it("carries the API client's mutual TLS, also through a task's become view of the connection", () => apiClientOver(() => ssh, (c) => withBecome(c, true)));
});

/**
 * The API client's mutual TLS through `connection`: the server verified against the CA and the
 * address 127.0.0.1, the client certificate required, a client trusting another CA refused.
 */
async function apiClientOver(connection: () => SshConnection, view: (c: SshConnection) => Connection = (c) => c): Promise<void> {
  const base = { validityDays: 1, keyBits: 2048 };
  const ca = createCa({ ...base, subject: { commonName: "test-ca" } });
  const serving = issueCertificate(ca, { ...base, subject: { commonName: "kubernetes" }, hosts: ["127.0.0.1"], serverAuth: true });
  const admin = issueCertificate(ca, { ...base, subject: { commonName: "admin", organization: "system:masters" }, clientAuth: true });
  const server: Server = createHttpsServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (request, response) => {
    const peer = (request.socket as TLSSocket).getPeerCertificate();
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ path: request.url, user: peer.subject?.CN }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const client = new KubeApiClient(tunnelEndpoint(view(connection()), port, { caPem: ca.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem }));
  const stranger = createCa({ ...base, subject: { commonName: "other-ca" } });
  const distrustful = new KubeApiClient(tunnelEndpoint(connection(), port, { caPem: stranger.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem }));
  try {
    const answers = await Promise.all([1, 2, 3].map((n) => client.expectOk("GET", `/version?n=${n}`)));
    expect(answers.map((a) => a.user)).toEqual(["admin", "admin", "admin"]);
    await expect(distrustful.request("GET", "/version")).rejects.toThrow(/through SSH.*not signed by the cluster CA/);
  } finally {
    client.close();
    distrustful.close();
    server.close();
  }
}

describe("where sshd forbids forwarding (AllowTcpForwarding no, as CIS-hardened hosts have)", () => {
  let stopSshd: () => void;
  let ssh: SshConnection;
  beforeAll(async () => {
    const started = await startSshd(["AllowTcpForwarding no"]);
    stopSshd = started.stop;
    ssh = new SshConnection(sshdSettings(started.sshd));
  });
  afterAll(async () => {
    await ssh?.close();
    stopSshd?.();
  });

  it("relays the stream through bash on the host: bytes both ways, the end seen when the service closes", async () => {
    // Answers after a moment, so streams overlap; counts how many are open at once.
    let open = 0;
    let peak = 0;
    const echo = createServer((socket) => {
      peak = Math.max(peak, ++open);
      socket.on("close", () => open--);
      socket.once("data", (chunk) => setTimeout(() => socket.end(`echo: ${chunk.toString()}`), 1000));
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const port = (echo.address() as AddressInfo).port;
      // More at once than a host's relay channels (3): the later ones wait for a channel to close.
      const answers = await Promise.all(
        [0, 1, 2, 3, 4].map(async (n) => {
          const stream = await ssh.forwardTcp("127.0.0.1", port);
          let text = "";
          stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
          // As a TLS socket does: its side ended when the service's did, which closes the channel.
          stream.once("end", () => stream.end());
          const closed = new Promise<string>((resolve) => stream.once("close", () => resolve(text)));
          stream.write(`ping ${n}`);
          return closed;
        }),
      );
      expect(answers).toEqual([0, 1, 2, 3, 4].map((n) => `echo: ping ${n}`));
      // Never more than the host's relay channels at once (and they did overlap).
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
    } finally {
      echo.close();
    }
  });

  it("closes the service's connection and leaves no process when the control machine closes first", async () => {
    let closedByRelay: () => void = () => {};
    const serviceSawClose = new Promise<void>((resolve) => (closedByRelay = resolve));
    // A service that never closes on its own.
    const quiet = createServer((socket) => socket.resume().on("close", () => closedByRelay()));
    await new Promise<void>((resolve) => quiet.listen(0, "127.0.0.1", resolve));
    try {
      const stream = await ssh.forwardTcp("127.0.0.1", (quiet.address() as AddressInfo).port);
      stream.write("hello");
      stream.end();
      await serviceSawClose;
      const relays = await ssh.run("pgrep -f easy-kube-relay-connected || true");
      expect(relays.stdout.trim()).toBe("");
    } finally {
      quiet.close();
    }
  });

  it("carries the API client's mutual TLS through the relay", () => apiClientOver(() => ssh));

  it("says a refused port is refused, naming the host, the port and why forwarding was not used", async () => {
    await expect(ssh.forwardTcp("127.0.0.1", 1)).rejects.toThrow(/cannot reach 127\.0\.0\.1:1 from testhost \(sshd there forbids port forwarding, so through bash on the host\): .*(refused|connect)/i);
  });
});

