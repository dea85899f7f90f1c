/**
 * ansible_ssh_common_args / ansible_ssh_extra_args as Ansible users write them: the honoured
 * options, bastions (ProxyJump, -J, ProxyCommand), and every other option refused with the host,
 * the option and the file that set it, before any connection.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandProxyCommand, parseProxyJump } from "../../lib/connection/proxy.js";
import { connectionSettings } from "../../lib/connection/settings.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { prepareRun, ValidationError } from "../../lib/runner/prepare-run.js";

const settingsWith = (args: Record<string, string>) => connectionSettings("web1", { ansible_host: "10.0.0.5", ansible_user: "deploy", ...args });

describe("ssh arguments", () => {
  it("reads the honoured -o options in their spellings", () => {
    const s = settingsWith({ ansible_ssh_common_args: "-o UserKnownHostsFile=/tmp/kh -oStrictHostKeyChecking=accept-new -o 'ConnectTimeout 7' -o ServerAliveInterval=2 -o ServerAliveCountMax=4" });
    expect(s).toMatchObject({ knownHostsFile: "/tmp/kh", hostKeyPolicy: "accept-new", connectTimeoutMs: 7000, keepaliveIntervalMs: 2000, keepaliveCountMax: 4 });
    expect(s.proxy).toBeUndefined();
  });

  it("keeps the first value of an option, as OpenSSH does (common args come before extra args)", () => {
    const s = settingsWith({ ansible_ssh_common_args: "-o ConnectTimeout=3", ansible_ssh_extra_args: "-o ConnectTimeout=9" });
    expect(s.connectTimeoutMs).toBe(3000);
  });

  it("reads ProxyJump, -J and several hops", () => {
    expect(settingsWith({ ansible_ssh_common_args: "-o ProxyJump=ops@bastion.example:2222" }).proxy).toEqual({ kind: "jump", hops: [{ user: "ops", address: "bastion.example", port: 2222 }] });
    expect(settingsWith({ ansible_ssh_extra_args: "-J bastion" }).proxy).toEqual({ kind: "jump", hops: [{ user: undefined, address: "bastion", port: 22 }] });
    expect(settingsWith({ ansible_ssh_common_args: "-Jops@a,b:2200" }).proxy).toEqual({
      kind: "jump",
      hops: [
        { user: "ops", address: "a", port: 22 },
        { user: undefined, address: "b", port: 2200 },
      ],
    });
    expect(parseProxyJump("ssh://u@[fd00::1]:2022")).toEqual([{ user: "u", address: "fd00::1", port: 2022 }]);
    expect(settingsWith({ ansible_ssh_common_args: "-o ProxyJump=none" }).proxy).toBeUndefined();
  });

  it("reads ProxyCommand as users quote it, and expands %h %p %r %n %%", () => {
    const expected = { kind: "command", command: "ssh -W %h:%p -q ops@bastion" };
    expect(settingsWith({ ansible_ssh_common_args: `-o ProxyCommand="ssh -W %h:%p -q ops@bastion"` }).proxy).toEqual(expected);
    expect(settingsWith({ ansible_ssh_common_args: `-o 'ProxyCommand ssh -W %h:%p -q ops@bastion'` }).proxy).toEqual(expected);
    expect(settingsWith({ ansible_ssh_common_args: `-o ProxyCommand='ssh -W %h:%p -q ops@bastion' -o StrictHostKeyChecking=no` }).proxy).toEqual(expected);
    expect(expandProxyCommand("nc %h %p # %r@%n 100%%", { address: "10.0.0.5", port: 22, user: "deploy", inventoryName: "web1" })).toBe("nc 10.0.0.5 22 # deploy@web1 100%");
  });

  it("accepts connection sharing options, which one connection per host already meets", () => {
    expect(() => settingsWith({ ansible_ssh_common_args: "-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/%C" })).not.toThrow();
  });

  it.each([
    ["-o ForwardAgent=yes", /ssh option ForwardAgent is not supported/],
    ["-F ./ssh_config", /ssh argument '-F' is not supported/],
    ["-o ProxyJump=a -o ProxyCommand='nc %h %p'", /ProxyJump and ProxyCommand are both set/],
    ["-o ProxyCommand='nc %h %x'", /unknown token %x/],
    ["-o ProxyJump=a:99999", /cannot read the jump host 'a:99999'/],
    ["-o ConnectTimeout=soon", /connecttimeout must be a whole number, got 'soon'/],
    ["-o", /-o needs a value/],
    ["-o 'ProxyCommand=nc %h %p", /cannot split/],
  ])("refuses %s, naming the host and the variable", (args, message) => {
    expect(() => settingsWith({ ansible_ssh_common_args: args })).toThrow(message);
    expect(() => settingsWith({ ansible_ssh_common_args: args })).toThrow(/host web1: ansible_ssh_common_args: /);
  });
});

describe("an unsupported ssh option in an inventory", () => {
  it("is reported with the file and line that set it, for every host, before any connection", () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-sshargs-"));
    mkdirSync(join(dir, "group_vars"));
    writeFileSync(join(dir, "hosts"), "[web]\nweb1 ansible_host=192.0.2.1\nweb2 ansible_host=192.0.2.2\n");
    writeFileSync(join(dir, "group_vars", "web.yml"), "---\nansible_user: deploy\nansible_ssh_common_args: -o ForwardAgent=yes\n");
    const inventory = loadInventory([dir]);
    const playbook = { name: "p", plays: [{ name: "p", hosts: "web", tasks: [] }] };
    let error: unknown;
    try {
      prepareRun(playbook, { inventory, extraVars: {}, connection: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(
      `${join(dir, "group_vars", "web.yml")}:3: host web1: ansible_ssh_common_args: ssh option ForwardAgent is not supported; easy-kube honours UserKnownHostsFile, StrictHostKeyChecking, ConnectTimeout, ServerAliveInterval, ServerAliveCountMax, ProxyJump, ProxyCommand (and accepts ControlMaster, ControlPersist, ControlPath, since it keeps one connection per host)`,
    );
    expect(problems[1]).toMatch(/web\.yml:3: host web2: /);
  });
});
