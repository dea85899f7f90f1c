/**
 * The binary bundle, filled from the three kinds of source with real tools: an official-layout
 * archive from a mirror folder and from a mirror URL (a local HTTP server), and Debian packages
 * built here with dpkg-deb. Checked: the lock's sha256, a second run that fetches nothing, a pinned
 * checksum that refuses a different archive, a tampered file that is fetched again, and the
 * messages for a version Debian does not package.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundledFiles, readBundleLock } from "../../lib/bundle/bundle-lock.js";
import { fillBundle, type BundleRequest } from "../../lib/bundle/fill-bundle.js";
import { bundleCommand } from "../../lib/cli/bundle-command.js";

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function program(dir: string, name: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\necho ${text}\n`);
  chmodSync(join(dir, name), 0o755);
}

/** etcd-v3.2.11-linux-amd64.tar.gz laid out as upstream's. */
function etcdArchive(mirror: string, text = "etcd 3.2.11"): string {
  const root = mkdtempSync(join(tmpdir(), "ek-etcd-src-"));
  program(join(root, "etcd-v3.2.11-linux-amd64"), "etcd", text);
  program(join(root, "etcd-v3.2.11-linux-amd64"), "etcdctl", "etcdctl 3.2.11");
  mkdirSync(mirror, { recursive: true });
  const archive = join(mirror, "etcd-v3.2.11-linux-amd64.tar.gz");
  execFileSync("tar", ["-czf", archive, "-C", root, "etcd-v3.2.11-linux-amd64"]);
  return archive;
}

function deb(dir: string, pkg: string, version: string, files: Record<string, string>): void {
  const root = mkdtempSync(join(tmpdir(), "ek-deb-"));
  mkdirSync(join(root, "DEBIAN"));
  writeFileSync(join(root, "DEBIAN", "control"), `Package: ${pkg}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: test <t@example.org>\nDescription: test package\n`);
  for (const [path, text] of Object.entries(files)) program(join(root, path, ".."), path.split("/").pop()!, text);
  mkdirSync(dir, { recursive: true });
  execFileSync("dpkg-deb", ["--build", "--root-owner-group", root, join(dir, `${pkg}_${version.replace(":", "%3a")}_amd64.deb`)], { stdio: "ignore" });
}

/** `folder` served over HTTP on loopback while `use` runs, with the paths asked for. */
async function withHttpMirror(folder: string, use: (url: string, requests: string[]) => Promise<void>): Promise<void> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    try {
      res.end(readFileSync(join(folder, req.url ?? "")));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests);
  } finally {
    server.close();
  }
}

const request = (overrides: Partial<BundleRequest>): BundleRequest => ({
  component: "etcd",
  version: "3.2.11",
  arch: "amd64",
  source: "mirror",
  mirror: "",
  debsDir: "",
  checksums: {},
  imageRegistry: "",
  ...overrides,
});

describe("the binary bundle", () => {
  it("fills from a mirror folder, records sha256 per file, and fetches nothing the second time", async () => {
    const mirror = mkdtempSync(join(tmpdir(), "ek-mirror-"));
    const archive = etcdArchive(mirror);
    const bundle = mkdtempSync(join(tmpdir(), "ek-bundle-"));
    const first = await fillBundle(bundle, request({ mirror, checksums: { "etcd-v3.2.11-linux-amd64.tar.gz": sha256(archive) } }));
    expect(first.status).toBe("filled");
    expect(first.warnings).toEqual([]);
    const files = bundledFiles(bundle, "etcd", "3.2.11", "amd64");
    expect(files.map((f) => f.name).sort()).toEqual(["etcd", "etcdctl"]);
    for (const file of files) expect(sha256(file.path)).toBe(file.sha256);
    expect(execFileSync(files.find((f) => f.name === "etcd")!.path, { encoding: "utf8" }).trim()).toBe("etcd 3.2.11");
    expect(readFileSync(join(bundle, ".gitignore"), "utf8")).toContain("*");

    expect((await fillBundle(bundle, request({ mirror }))).status).toBe("ok");

    // A file changed in the bundle is no longer trusted: it is fetched again.
    writeFileSync(files[0]!.path, "tampered");
    expect((await fillBundle(bundle, request({ mirror }))).status).toBe("filled");
    expect(sha256(files[0]!.path)).toBe(files[0]!.sha256);
  });

  it("refuses an archive whose sha256 is not the pinned one, and warns when nothing is pinned", async () => {
    const mirror = mkdtempSync(join(tmpdir(), "ek-mirror-"));
    etcdArchive(mirror, "not the real etcd");
    const bundle = mkdtempSync(join(tmpdir(), "ek-bundle-"));
    const wrong = "0".repeat(64);
    await expect(fillBundle(bundle, request({ mirror, checksums: { "etcd-v3.2.11-linux-amd64.tar.gz": wrong } }))).rejects.toThrow(/has sha256 [0-9a-f]{64}, expected 0{64}: refused/);
    expect(readBundleLock(bundle).components).toEqual([]);
    const unpinned = await fillBundle(bundle, request({ mirror }));
    expect(unpinned.warnings.join("\n")).toMatch(/no published checksum .* recorded sha256/);
  });

  it("downloads from a mirror URL", async () => {
    const folder = mkdtempSync(join(tmpdir(), "ek-mirror-"));
    etcdArchive(folder);
    await withHttpMirror(folder, async (url, requests) => {
      const bundle = mkdtempSync(join(tmpdir(), "ek-bundle-"));
      expect((await fillBundle(bundle, request({ mirror: url }))).status).toBe("filled");
      expect(requests).toEqual(["/etcd-v3.2.11-linux-amd64.tar.gz"]);
      await expect(fillBundle(bundle, request({ mirror: url, version: "3.3.0" }))).rejects.toThrow(/etcd-v3\.3\.0-linux-amd64\.tar\.gz failed: HTTP 404/);
    });
  });

  it("fills containerd's runtime from a mirror URL: containerd's archive (bin/), runc as a plain file, crictl's archive", async () => {
    const folder = mkdtempSync(join(tmpdir(), "ek-mirror-"));
    const tree = mkdtempSync(join(tmpdir(), "ek-containerd-src-"));
    for (const name of ["containerd", "containerd-shim-runc-v2", "ctr"]) program(join(tree, "bin"), name, `${name} 2.4.2`);
    execFileSync("tar", ["-czf", join(folder, "containerd-2.4.2-linux-amd64.tar.gz"), "-C", tree, "bin"]);
    program(folder, "runc.amd64", "runc 1.5.3");
    program(tree, "crictl", "crictl 1.37.0");
    execFileSync("tar", ["-czf", join(folder, "crictl-v1.37.0-linux-amd64.tar.gz"), "-C", tree, "crictl"]);
    await withHttpMirror(folder, async (url, requests) => {
      const bundle = mkdtempSync(join(tmpdir(), "ek-bundle-"));
      for (const [component, version] of [["containerd", "2.4.2"], ["runc", "1.5.3"], ["crictl", "1.37.0"]] as const) {
        expect((await fillBundle(bundle, request({ component, version, mirror: url }))).status, component).toBe("filled");
      }
      expect(requests).toEqual(["/containerd-2.4.2-linux-amd64.tar.gz", "/runc.amd64", "/crictl-v1.37.0-linux-amd64.tar.gz"]);
      const files = (component: "containerd" | "runc" | "crictl", version: string) => bundledFiles(bundle, component, version, "amd64");
      expect(files("containerd", "2.4.2").map((f) => f.name)).toEqual(["containerd", "containerd-shim-runc-v2", "ctr"]);
      expect(execFileSync(files("runc", "1.5.3")[0]!.path, { encoding: "utf8" })).toBe("runc 1.5.3\n");
      expect(files("runc", "1.5.3")[0]!.sha256).toBe(sha256(join(folder, "runc.amd64")));
      expect(execFileSync(files("crictl", "1.37.0")[0]!.path, { encoding: "utf8" })).toBe("crictl 1.37.0\n");
    });
  });

  it("takes Debian packages of the right upstream version, helpers at any version", async () => {
    const debs = mkdtempSync(join(tmpdir(), "ek-debs-"));
    deb(debs, "docker.io", "20.10.24+dfsg1-1+deb12u1", { "usr/bin/docker": "docker", "usr/sbin/dockerd": "dockerd", "usr/sbin/docker-proxy": "proxy" });
    deb(debs, "tini", "0.19.0-1", { "usr/bin/tini-static": "tini" });
    deb(debs, "containerd", "1.6.20~ds1-1", { "usr/bin/containerd": "c", "usr/bin/containerd-shim": "s", "usr/bin/containerd-shim-runc-v2": "s2", "usr/bin/ctr": "ctr" });
    deb(debs, "runc", "1.1.5+ds1-1", { "usr/sbin/runc": "runc" });
    const bundle = mkdtempSync(join(tmpdir(), "ek-bundle-"));
    const docker = { component: "docker", source: "debian", debsDir: debs } as const;
    const report = await fillBundle(bundle, request({ ...docker, version: "20.10.24" }));
    expect(report.origin).toContain("docker.io_20.10.24+dfsg1-1+deb12u1_amd64.deb");
    const files = bundledFiles(bundle, "docker", "20.10.24", "amd64");
    expect(files.map((f) => f.name).sort()).toEqual(["containerd", "containerd-shim", "containerd-shim-runc-v2", "ctr", "docker", "docker-init", "docker-proxy", "dockerd", "runc"]);
    expect(execFileSync(files.find((f) => f.name === "docker-init")!.path, { encoding: "utf8" }).trim()).toBe("tini");
    await expect(fillBundle(bundle, request({ ...docker, version: "17.12.0-ce" }))).rejects.toThrow(/docker 17\.12\.0-ce was asked for, but .* has docker\.io 20\.10\.24: set docker_version/);
  });

  it("bundle command: the inventory's groups and versions decide what is filled; bad values name their file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-bundle-inv-"));
    const mirror = join(dir, "mirror");
    etcdArchive(mirror);
    mkdirSync(join(dir, "group_vars"));
    writeFileSync(join(dir, "hosts"), "[etcd]\ne1 ansible_host=192.0.2.1\ne2 ansible_host=192.0.2.2\n[kube_master]\n[kube_node]\n");
    writeFileSync(join(dir, "group_vars", "all.yml"), `bundle_source: mirror\nbundle_mirror: ${mirror}\nbundle_components: [etcd, docker]\n`);
    const listed: string[] = [];
    expect(await bundleCommand(["-i", join(dir, "hosts"), "--list"], (l) => listed.push(l))).toBe(0);
    expect(listed).toEqual([expect.stringMatching(/^etcd 3\.2\.11 amd64 from mirror for 2 hosts in .*\.bundle: 2 of 2 missing$/), "  missing etcd", "  missing etcdctl", expect.stringMatching(/to fill what is missing/)]);
    expect(existsSync(join(dir, ".bundle"))).toBe(false);
    const lines: string[] = [];
    expect(await bundleCommand(["-i", join(dir, "hosts")], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^filled: etcd 3\.2\.11 amd64 in .*\.bundle \(from etcd-v3\.2\.11-linux-amd64\.tar\.gz sha256:[0-9a-f]{64}; for 2 hosts\)$/);
    expect(lines.join("\n")).toMatch(/WARNING.*pin it in bundle_checksums/);
    listed.length = 0;
    await bundleCommand(["-i", join(dir, "hosts"), "--list"], (l) => listed.push(l));
    expect(listed.slice(0, 3)).toEqual([expect.stringMatching(/: complete$/), "  ok      etcd", "  ok      etcdctl"]);

    // A node's runtime decides its programs: containerd's from 1.24 (auto), Docker's before.
    writeFileSync(join(dir, "hosts"), "[etcd]\ne1 ansible_host=192.0.2.1\n[kube_master]\n[kube_node]\nn1 ansible_host=192.0.2.3\nn2 ansible_host=192.0.2.4 kube_version=1.20.2\n");
    writeFileSync(join(dir, "group_vars", "all.yml"), `bundle_source: mirror\nbundle_mirror: ${mirror}\nbundle_sources: {etcd: debian, crictl: go}\nkube_version: 1.37.2\n`);
    const planned: string[] = [];
    await bundleCommand(["-i", join(dir, "hosts"), "--list"], (l) => planned.push(l));
    const summary = planned.filter((l) => !l.startsWith(" ") && / from /.test(l)).map((l) => l.replace(/ in .*$/, ""));
    expect(summary).toEqual([
      "etcd 3.2.11 amd64 from debian for 1 host",
      "containerd 2.4.2 amd64 from mirror for 1 host",
      "runc 1.5.3 amd64 from mirror for 1 host",
      "crictl 1.37.0 amd64 from go for 1 host",
      "cni 0.6.0 amd64 from mirror for 2 hosts",
      "kubernetes 1.37.2 amd64 from mirror for 1 host",
      "images 1.37.2 amd64 from mirror for 1 host",
      "docker 17.12.0-ce amd64 from mirror for 1 host",
      "kubernetes 1.20.2 amd64 from mirror for 1 host",
      "images 1.20.2 amd64 from mirror for 1 host",
    ]);
    writeFileSync(join(dir, "group_vars", "all.yml"), `bundle_sources: {etcd: nowhere}\n`);
    await expect(bundleCommand(["-i", join(dir, "hosts")], () => {})).rejects.toThrow(/group_vars\/all\.yml:1: host e1: bundle_sources = .* must be a mapping of etcd, kubernetes, docker, containerd, runc, crictl, cni, images to one of official, mirror, debian, go/);

    writeFileSync(join(dir, "group_vars", "all.yml"), `bundle_source: nowhere\n`);
    await expect(bundleCommand(["-i", join(dir, "hosts")], () => {})).rejects.toThrow(/group_vars\/all\.yml:1: host e1: bundle_source = "nowhere" must be one of official, mirror, debian/);
  });
});
