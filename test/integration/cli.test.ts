/**
 * The commands as users run them: the sample playbook through its own command line against the
 * real sshd (twice: the second run must report changed=0; --check on a fresh target must change
 * nothing), exit codes, and the easy-kube tool commands.
 */
import { describe, expect, inject, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sshdInventory } from "../helpers/inventory.js";
import { ansibleInventoryList } from "../helpers/ansible.js";
import { parsePythonJson } from "../helpers/pyyaml.js";

const sshd = inject("sshd");
const run = promisify(execFile);
const repo = join(import.meta.dirname, "../..");
// tsx run by this very node, not through npx: npm prints its own warnings (an unknown key in the
// user's npmrc) on stderr before the program's first line.
const tsxCli = join(repo, "node_modules/tsx/dist/cli.mjs");

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tsxCli, ...args], { cwd: repo, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function recap(stdout: string): Record<string, number> {
  const line = stdout.split("\n").find((l) => /^\S+\s+: ok=/.test(l)) ?? "";
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

describe("sample playbook", () => {
  it("converges, then re-runs with changed=0", async () => {
    const root = mkdtempSync(join(tmpdir(), "ek-sample-"));
    const { file } = sshdInventory(sshd, { web: ["target"] });
    const vars = ["-e", `sample_root=${root}/app sample_user=eksample${process.pid % 1000}`];
    const first = await cli(["playbooks/sample.ts", "-i", file, ...vars]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(recap(first.stdout).changed).toBeGreaterThan(5);
    expect(readFileSync(`${root}/app/etc/app.conf`, "utf8")).toContain('greeting = "hello from easy-kube"');
    const second = await cli(["playbooks/sample.ts", "-i", file, ...vars]);
    expect(second.code).toBe(0);
    expect(recap(second.stdout)).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
  });

  it("--check on a fresh target reports the changes and changes nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), "ek-check-"));
    const user = `ekcheck${process.pid % 1000}`;
    const { file } = sshdInventory(sshd, { web: ["target"] });
    const passwd = readFileSync("/etc/passwd", "utf8");
    const result = await cli(["playbooks/sample.ts", "-i", file, "--check", "--diff", "-e", `sample_root=${root}/app sample_user=${user}`]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("Check mode: nothing will be changed on any host.");
    expect(result.stdout).toContain(`+greeting = "hello from easy-kube"`);
    expect(recap(result.stdout).changed).toBeGreaterThan(5);
    expect(existsSync(`${root}/app`)).toBe(false);
    expect(readFileSync("/etc/passwd", "utf8")).toBe(passwd);
  });

  it("lists hosts, tasks and tags without connecting", async () => {
    const { file } = sshdInventory(sshd, { web: ["a", "b"] }, "ansible_port=1");
    const listed = await cli(["playbooks/sample.ts", "-i", file, "--list-hosts", "--list-tasks", "--limit", "b"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/hosts \(1\):\n\s+b\n/);
    expect(listed.stdout).toContain("sample : render the config\tTAGS: [sample]");
  });
});

describe("exit codes and errors", () => {
  it("bad options exit 5, input errors exit 1 with file and line, both without a stack trace", async () => {
    const bad = await cli(["playbooks/sample.ts", "--no-such-flag"]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/^ERROR! Unknown option '--no-such-flag'/);
    const { file } = sshdInventory(sshd, { web: ["target sample_port=99999"] });
    const invalid = await cli(["playbooks/sample.ts", "-i", file]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(`${file}:2: host target: sample_port = 99999 must be a port number (1-65535)`);
    expect(invalid.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("easy-kube command", () => {
  it("inventory --list prints what ansible-inventory prints", async () => {
    const source = join(repo, "test/fixtures/inventories/yaml-inventory/hosts.yml");
    const listed = await cli(["bin/easy-kube.mjs", "inventory", "-i", source, "--list"]);
    expect(JSON.parse(listed.stdout)).toEqual(ansibleInventoryList(source));
  });

  it("inventory --list and --host print YAML's .inf, -.inf and .nan as ansible-inventory does (Infinity, -Infinity, NaN), not as null", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-floats-"));
    const source = join(dir, "hosts.yml");
    writeFileSync(source, "all:\n  hosts:\n    h1:\n      big: .inf\n      small: -.inf\n      odd: .nan\n      text: .inf is text here\n");
    const listed = await cli(["bin/easy-kube.mjs", "inventory", "-i", source, "--list"]);
    expect(parsePythonJson(listed.stdout)).toEqual(ansibleInventoryList(source));
    const host = (await cli(["bin/easy-kube.mjs", "inventory", "-i", source, "--host", "h1"])).stdout;
    expect(host).toMatch(/"big": Infinity,\n/);
    expect(host).toMatch(/"small": -Infinity,\n/);
    expect(host).toMatch(/"odd": NaN,\n/);
    expect(host).toContain('"text": ".inf is text here"');
  });

  it("exec runs a command on every matched host with become; ping reaches them", async () => {
    const { file } = sshdInventory(sshd, { web: ["a", "b"], db: ["c"] });
    const exec = await cli(["bin/easy-kube.mjs", "exec", "-i", file, "web", "--", "id", "-un"]);
    expect(exec.code).toBe(0);
    expect(exec.stdout.split("\n").sort().join("\n")).toBe(["", "a | CHANGED | rc=0 >>", "b | CHANGED | rc=0 >>", "root", "root"].join("\n"));
    const ping = await cli(["bin/easy-kube.mjs", "ping", "-i", file]);
    expect(ping.stdout.trim().split("\n").sort()).toEqual(['a | SUCCESS => {"ping": "pong"}', 'b | SUCCESS => {"ping": "pong"}', 'c | SUCCESS => {"ping": "pong"}']);
    const failing = await cli(["bin/easy-kube.mjs", "exec", "-i", file, "db", "--", "exit 3"]);
    expect(failing.code).toBe(2);
  });
});
