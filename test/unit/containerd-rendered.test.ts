/**
 * The containerd role's files for containerd 2.x (config format 3) and 1.x (format 2), kept under
 * test/fixtures/rendered/ and reviewed like code; registry hosts; and how kube-node reads the
 * running runtime's cgroup driver.
 */
import { describe, expect, it } from "vitest";
import { missingBuild } from "../helpers/require-built.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { configFormat, containerdConfig, registryHosts, registryProblems } from "../../roles/containerd/config.js";
import { containerdDefaults } from "../../roles/containerd/defaults.js";
import { agrees } from "../../roles/kube-node/runtime-cgroup-driver.js";

const root = join(import.meta.dirname, "../..");
/** containerd 2.4.2 as the lab's build cache holds it (scripts/install-deps.sh builds it). */
const builtContainerd = (() => {
  const builds = "/var/cache/easy-kube/go/builds";
  const folder = existsSync(builds) ? readdirSync(builds).find((f) => f.startsWith("containerd-2.4.2_")) : undefined;
  return folder ? join(builds, folder, "bin/containerd") : undefined;
})();

const templates = join(root, "roles/containerd/templates");

function typed(extra: Record<string, unknown>) {
  const { values, problems } = resolveRoleVars(containerdDefaults, extra, new Map(), "node01");
  expect(problems).toEqual([]);
  return values;
}

describe("containerd's configuration", () => {
  it("uses format 4 from containerd 2.4, 3 from 2.0 and 2 before", () => {
    expect([configFormat("2.4.2"), configFormat("3.0.0"), configFormat("2.3.1"), configFormat("v2.0.0"), configFormat("1.7.27"), configFormat("1.6.20")]).toEqual([4, 4, 3, 3, 2, 2]);
  });

  // The real containerd reads the rendered file without a migration or an unknown key, and takes our values.
  it.skipIf(missingBuild(builtContainerd !== undefined, "containerd 2.4.2 in /var/cache/easy-kube/go/builds"))("containerd 2.4.2 itself reads the rendered file as written (config dump)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ek-containerd-")), "config.toml");
    writeFileSync(file, containerdConfig(typed({ kube_version: "1.37.2", containerd_version: "2.4.2" }), templates));
    const dump = spawnSync(builtContainerd!, ["--config", file, "config", "dump"], { encoding: "utf8" });
    expect(dump.status).toBe(0);
    expect(dump.stderr).toBe("");
    const dumped = dump.stdout;
    expect(dumped).toMatch(/^version = 4$/m);
    expect(dumped).toMatch(/\[plugins\.'io\.containerd\.server\.v1\.grpc'\]\n\s+address = '\/run\/containerd\/containerd\.sock'/);
    expect(dumped).toMatch(/sandbox = 'registry\.k8s\.io\/pause:3\.10\.2'/);
    expect(dumped).toMatch(/SystemdCgroup = false/);
    expect(dumped).toMatch(/bin_dirs = \['\/opt\/cni\/bin'\]/);
  });

  it("containerd 2.4 with Kubernetes 1.37: kept as a reviewed file", async () => {
    await expect(containerdConfig(typed({ kube_version: "1.37.2", containerd_version: "2.4.2" }), templates)).toMatchFileSnapshot(join(root, "test/fixtures/rendered/containerd-2.4.2-config.toml"));
  });

  it("containerd 2.0 reads format 3 and its CNI folder as bin_dir (bin_dirs came with 2.1)", () => {
    const config = containerdConfig(typed({ kube_version: "1.37.2", containerd_version: "2.0.5", cni_bin_dir: "/usr/libexec/cni" }), templates);
    expect(config).toMatch(/^version = 3$/m);
    expect(config).toContain('[grpc]\n  address = "/run/containerd/containerd.sock"');
    expect(config).toContain('bin_dir = "/usr/libexec/cni"');
    expect(config).not.toContain("bin_dirs");
  });

  it("containerd 1.6 (Debian's) with systemd cgroups: kept as a reviewed file", async () => {
    await expect(containerdConfig(typed({ kube_version: "1.26.0", containerd_version: "1.6.20", cgroup_driver: "systemd" }), templates)).toMatchFileSnapshot(join(root, "test/fixtures/rendered/containerd-1.6.20-config.toml"));
  });

  it("writes a hosts.toml per registry with mirrors or without TLS verification", () => {
    const hosts = registryHosts(typed({ containerd_registry_mirrors: { "docker.io": ["https://mirror.example.com"], "registry.k8s.io": "http://10.0.0.5:5000" }, containerd_insecure_registries: ["10.0.0.5:5000"] }));
    expect(hosts.map((h) => h.registry)).toEqual(["10.0.0.5:5000", "docker.io", "registry.k8s.io"]);
    expect(hosts[0]!.content).toContain('server = "http://10.0.0.5:5000"\nskip_verify = true\n');
    expect(hosts[1]!.content).toContain('server = "https://registry-1.docker.io"\n\n[host."https://mirror.example.com"]\n  capabilities = ["pull", "resolve"]\n');
    expect(hosts[2]!.content).toContain('[host."http://10.0.0.5:5000"]\n  capabilities = ["pull", "resolve"]\n  skip_verify = true\n');
    expect(registryHosts(typed({}))).toEqual([]);
    // Only the mirror on that very host:port is reached without verification.
    const near = registryHosts(typed({ containerd_registry_mirrors: { "docker.io": ["https://10.0.0.5:50001"] }, containerd_insecure_registries: ["10.0.0.5:5000"] }));
    expect(near.find((h) => h.registry === "docker.io")!.content).not.toContain("skip_verify");
  });

  it("refuses registry names that are not host[:port] and mirrors that are not URLs, before any host is touched", () => {
    expect(registryProblems(typed({ containerd_registry_mirrors: { "../etc": ["https://m.example.com"], "docker.io": ["m.example.com"] }, containerd_insecure_registries: ["ok.example.com:5000"] }))).toEqual([
      "registry '../etc' is not host[:port] (containerd_registry_mirrors, containerd_insecure_registries)",
      "containerd_registry_mirrors docker.io: 'm.example.com' is not an http(s) URL",
    ]);
  });

  it("kube-node reads the running runtime's cgroup driver: Docker's info, containerd's runc SystemdCgroup", () => {
    const crictlInfo = (systemd: boolean | undefined) => JSON.stringify({ config: { containerd: { runtimes: { runc: { options: systemd === undefined ? {} : { SystemdCgroup: systemd } } } } } });
    expect(agrees("containerd", crictlInfo(false), "cgroupfs")).toBe(true);
    expect(agrees("containerd", crictlInfo(undefined), "cgroupfs")).toBe(true);
    expect(agrees("containerd", crictlInfo(true), "cgroupfs")).toBe(false);
    expect(agrees("containerd", crictlInfo(true), "systemd")).toBe(true);
    expect(agrees("docker", "systemd\n", "cgroupfs")).toBe(false);
    expect(agrees("docker", "cgroupfs\n", "cgroupfs")).toBe(true);
    // An answer of another layout, or none that parses, is not taken as agreement.
    expect(agrees("containerd", JSON.stringify({ config: {} }), "cgroupfs")).toBe(false);
    expect(agrees("containerd", "not json", "cgroupfs")).toBe(false);
    // Not running yet (a dry run before its stage): not judged.
    expect(agrees("containerd", "", "systemd")).toBe(true);
  });
});
