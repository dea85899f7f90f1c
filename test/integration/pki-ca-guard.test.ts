/**
 * The distribute play never replaces a host's CA by accident: with the PKI folder gone (a fresh
 * checkout, a second operator), the PKI run mints a new CA, and distributing it would break every
 * certificate of a working cluster. Against the real sshd: the hosts are refused by name, their
 * files stay as they were; restoring the folder makes the run pass; -e pki_renew=ca replaces the
 * CA on purpose, reissues every certificate it signs and distributes them.
 */
import { describe, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkiPlaybook } from "../../playbooks/pki.js";
import { sshdInventory } from "../helpers/inventory.js";
import { runCollecting, statuses } from "../helpers/run.js";

const sshd = inject("sshd");

describe("distributing the PKI", () => {
  // Nodes only: their files go to folders of this test, nothing to /root or /etc.
  const remote = mkdtempSync(join(tmpdir(), "ek-pki-remote-"));
  const { dir, file } = sshdInventory(sshd, { kube_master: [], kube_node: ["n1", "n2"] }, `pki_remote_ssl_dir=${remote}/n/ssl\nkube_config_dir=${remote}/n\npki_apiserver_url=https://192.0.2.1:6443`);
  const pki = join(dir, ".pki");
  const hostCa = () => readFileSync(join(remote, "n/ssl/ca.pem"), "utf8");

  it("refuses, naming each host, to replace a CA the hosts have when the folder was lost", async () => {
    expect((await runCollecting(pkiPlaybook, file)).exitCode).toBe(0);
    const original = hostCa();
    renameSync(pki, `${pki}.saved`);
    const lost = await runCollecting(pkiPlaybook, file);
    expect(lost.exitCode).toBe(2);
    expect(statuses(lost.results, "check the host's CAs are the PKI folder's")).toEqual(["n1:failed", "n2:failed"]);
    const message = lost.results.find((r) => r.status === "failed")!.message!;
    expect(message).toContain(`${remote}/n/ssl/ca.pem on this host is the CA the cluster runs with, and it differs from ${pki}/ca.pem`);
    expect(message).toMatch(/restore the PKI folder .* -e pki_renew=ca/s);
    expect(lost.results.filter((r) => r.task === "files")).toEqual([]);
    expect(hostCa()).toBe(original);

    // Restored: the run passes and changes nothing on the hosts.
    rmSync(pki, { recursive: true });
    renameSync(`${pki}.saved`, pki);
    const restored = await runCollecting(pkiPlaybook, file);
    expect(restored.exitCode).toBe(0);
    expect(restored.results.filter((r) => r.status === "changed")).toEqual([]);
  });

  it("--check with the folder missing refuses too, and writes nothing", async () => {
    const saved = mkdtempSync(join(tmpdir(), "ek-pki-saved-"));
    cpSync(pki, saved, { recursive: true });
    rmSync(pki, { recursive: true });
    const checked = await runCollecting(pkiPlaybook, file, { check: true });
    cpSync(saved, pki, { recursive: true });
    expect(checked.exitCode).toBe(2);
    expect(checked.results.find((r) => r.status === "failed")!.message).toContain(`${pki}/ca.pem does not exist`);
  });

  it("-e pki_renew=ca replaces the CA on purpose: every certificate reissued and distributed", async () => {
    const before = hostCa();
    const renewed = await runCollecting(pkiPlaybook, file, { extraVars: { pki_renew: "ca" } });
    expect(renewed.exitCode, JSON.stringify(renewed.results.filter((r) => r.status === "failed"))).toBe(0);
    const ca = readFileSync(join(pki, "ca.pem"), "utf8");
    expect(ca).not.toBe(before);
    expect(hostCa()).toBe(ca);
    for (const name of ["kube-proxy.pem", "kubernetes.pem", "admin.pem", "kube-controller-manager.pem"]) {
      expect(execFileSync("openssl", ["verify", "-CAfile", join(pki, "ca.pem"), join(pki, name)], { encoding: "utf8" })).toContain(": OK");
    }
    expect(readFileSync(join(remote, "n/ssl/kube-proxy.pem"), "utf8")).toBe(readFileSync(join(pki, "kube-proxy.pem"), "utf8"));
    // The next run, without pki_renew, finds the hosts on the new CA.
    const again = await runCollecting(pkiPlaybook, file);
    expect(again.exitCode).toBe(0);
    expect(again.results.filter((r) => r.status === "changed")).toEqual([]);
  });
});
