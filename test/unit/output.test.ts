import { describe, expect, it, vi } from "vitest";
import { PassThrough } from "node:stream";
import { ConsoleReporter } from "../../lib/output/console-reporter.js";
import { JsonLinesReporter } from "../../lib/output/json-lines-reporter.js";
import { SecretMasker } from "../../lib/output/masker.js";
import { parseExtraVars } from "../../lib/cli/extra-vars.js";
import { parseHostFacts } from "../../lib/facts/host-facts.js";

function capture() {
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

describe("console output", () => {
  it("prints Ansible's banners, status lines and recap, without colour off a terminal", () => {
    const { out, text } = capture();
    const masker = new SecretMasker();
    masker.add("hunter22");
    const reporter = new ConsoleReporter({ out, verbosity: 0, masker });
    reporter.emit({ type: "play_start", play: "etcd", hosts: ["n1"] });
    reporter.emit({ type: "task_start", task: "write unit", role: "etcd", handler: false, hosts: ["n1"] });
    reporter.emit({ type: "host_result", host: "n1", task: "write unit", status: "changed", changes: ["update x"], commands: 2, durationMs: 5 });
    reporter.emit({ type: "host_result", host: "n2", task: "write unit", status: "failed", changes: [], message: "sudo password hunter22 refused", commands: 1, durationMs: 5 });
    reporter.emit({ type: "recap", stats: { n1: { ok: 3, changed: 1, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 } } });
    const lines = text().split("\n");
    // Ansible's banners are 80 columns: the title, a space, and stars to fill.
    expect(lines).toContain(`PLAY [etcd] ${"*".repeat(68)}`);
    expect(lines).toContain(`TASK [etcd : write unit] ${"*".repeat(55)}`);
    expect(lines.filter((l) => l.startsWith("PLAY [") || l.startsWith("TASK [")).every((l) => l.length === 80)).toBe(true);
    expect(lines).toContain("changed: [n1]");
    expect(lines).toContain("fatal: [n2]: FAILED! => sudo password ******** refused");
    expect(lines).toContain("n1                         : ok=3    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0");
    expect(text()).not.toContain("\x1b[");
  });

  it("says which hosts a long task still waits for, every 10 s", () => {
    vi.useFakeTimers();
    try {
      const { out, text } = capture();
      const reporter = new ConsoleReporter({ out, verbosity: 0, masker: new SecretMasker() });
      reporter.emit({ type: "task_start", task: "slow", handler: false, hosts: ["n1", "n2"] });
      reporter.emit({ type: "host_result", host: "n1", task: "slow", status: "ok", changes: [], commands: 1, durationMs: 1 });
      vi.advanceTimersByTime(10_000);
      expect(text()).toContain("... still running after 10 s on n2\n");
      reporter.emit({ type: "host_result", host: "n2", task: "slow", status: "ok", changes: [], commands: 1, durationMs: 1 });
      reporter.emit({ type: "playbook_end", exitCode: 0, durationMs: 1 });
      vi.advanceTimersByTime(30_000);
      expect(text().match(/still running/g)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("writes one masked JSON object per event", () => {
    const { out, text } = capture();
    const masker = new SecretMasker();
    masker.add("tok-123456");
    const reporter = new JsonLinesReporter(out, masker);
    reporter.emit({ type: "warning", message: "token tok-123456 leaked?" });
    reporter.emit({ type: "host_result", host: "n1", task: "t", status: "changed", changes: [], diffs: [{ path: "/k", before: "a", after: "tok-123456", secret: true }], commands: 1, durationMs: 1 });
    const events = text().trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: "warning", message: "token ******** leaked?" });
    expect(events[1].diffs).toEqual([{ path: "/k", secret: true }]);
    expect(text()).not.toContain("tok-123456");
  });
});

describe("extra vars", () => {
  it("reads key=value, JSON and YAML like ansible-playbook -e, later ones winning", () => {
    expect(parseExtraVars(["a=1 b='two words'", '{"c": [1, 2], "a": "json"}', "d=x=y"])).toEqual({ a: "json", b: "two words", c: [1, 2], d: "x=y" });
    expect(() => parseExtraVars(["novalue"])).toThrow(/expected key=value/);
  });
});

describe("host facts", () => {
  it("parses what the gathering script prints on a CentOS 7 host", () => {
    const facts = parseHostFacts(
      [
        "id=centos", 'id_like=rhel fedora', "version_id=7", "pretty=CentOS Linux 7 (Core)", "arch=x86_64", "kernel=3.10.0-693.el7.x86_64",
        "hostname=node1", "fqdn=node1.example.com", "cpus=4", "mem_kb=8009276", "init=systemd", "default_dev=eth0",
        "addr=lo inet 127.0.0.1/8", "addr=eth0 inet 192.168.1.11/24", "addr=eth0 inet6 fe80::1/64", "addr=docker0 inet 172.17.0.1/16",
      ].join("\n"),
    );
    expect(facts).toMatchObject({
      osFamily: "RedHat", distribution: "centos", distributionMajorVersion: 7, goArch: "amd64", cpus: 4, memoryMb: 7822,
      initSystem: "systemd", defaultIpv4: "192.168.1.11", allIpv4: ["192.168.1.11", "172.17.0.1"],
    });
  });
});
