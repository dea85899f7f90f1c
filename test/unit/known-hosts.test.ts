import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint, KnownHosts, knownHostsName } from "../../lib/connection/known-hosts.js";

function newKey(dir: string, name: string, type = "ed25519"): { blob: Buffer; line: string } {
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", join(dir, name)]);
  const [keyType, base64] = readFileSync(join(dir, `${name}.pub`), "utf8").split(" ");
  return { blob: Buffer.from(base64!, "base64"), line: `${keyType} ${base64}` };
}

describe("known_hosts", () => {
  const dir = mkdtempSync(join(tmpdir(), "ek-kh-"));
  const a = newKey(dir, "a");
  const b = newKey(dir, "b");
  const rsa = newKey(dir, "r", "rsa");

  it("uses [host]:port for non-standard ports", () => {
    expect(knownHostsName("10.0.0.1", 22)).toBe("10.0.0.1");
    expect(knownHostsName("10.0.0.1", 2222)).toBe("[10.0.0.1]:2222");
  });

  it("trusts a listed key, reports unknown hosts, changed and revoked keys", () => {
    const file = join(dir, "known_hosts");
    writeFileSync(file, `# comment\nnode1,10.0.0.1 ${a.line}\n[node2]:2222 ${a.line}\n@revoked * ${rsa.line}\n*.lab ${b.line}\n!bad.lab ${a.line}\n`);
    const kh = new KnownHosts(file);
    expect(kh.verify("node1", a.blob).status).toBe("trusted");
    expect(kh.verify("10.0.0.1", a.blob).status).toBe("trusted");
    expect(kh.verify("[node2]:2222", a.blob).status).toBe("trusted");
    expect(kh.verify("node2", a.blob).status).toBe("unknown");
    expect(kh.verify("node1", b.blob)).toMatchObject({ status: "changed", known: { line: 2 } });
    expect(kh.verify("x.lab", b.blob).status).toBe("trusted");
    expect(kh.verify("node1", rsa.blob)).toMatchObject({ status: "revoked", line: 4 });
  });

  it("matches hashed entries written by ssh-keygen -H, and prefers known key types", () => {
    const file = join(dir, "hashed");
    writeFileSync(file, `[10.9.9.9]:2200 ${rsa.line}\n`);
    execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
    const kh = new KnownHosts(file);
    expect(kh.verify("[10.9.9.9]:2200", rsa.blob).status).toBe("trusted");
    expect(kh.preferredAlgorithms("[10.9.9.9]:2200")).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });

  it("prints fingerprints as ssh-keygen -l does", () => {
    const printed = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "a.pub")], { encoding: "utf8" });
    expect(printed).toContain(fingerprint(a.blob));
  });

  it("appends new keys in OpenSSH's format", () => {
    const file = join(dir, "sub", "known_hosts");
    new KnownHosts(file).add("[h]:2200", a.blob);
    expect(readFileSync(file, "utf8")).toBe(`[h]:2200 ${a.line.trim()}\n`);
  });
});
