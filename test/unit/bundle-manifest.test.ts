/** The versions manifest: upstream's file names and layouts, which changed between versions. */
import { describe, expect, it } from "vitest";
import { componentManifest, debianUpstreamVersion, versionAtLeast } from "../../lib/bundle/manifest.js";
import { sha256From } from "../../lib/bundle/archive-source.js";

describe("versions manifest", () => {
  it("follows the guide's versions by default layout", () => {
    const etcd = componentManifest("etcd", "v3.2.11", "arm64", "official");
    expect(etcd.origin).toMatchObject({ url: "https://github.com/etcd-io/etcd/releases/download/v3.2.11/etcd-v3.2.11-linux-arm64.tar.gz", members: { etcd: "etcd-v3.2.11-linux-arm64/etcd" } });
    const kube = componentManifest("kubernetes", "1.7.11", "amd64", "official");
    expect(kube.files).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"]);
    expect(kube.origin).toMatchObject({ url: "https://dl.k8s.io/v1.7.11/kubernetes-server-linux-amd64.tar.gz", checksumUrl: "https://dl.k8s.io/v1.7.11/kubernetes-server-linux-amd64.tar.gz.sha256" });
  });

  it("docker: docker-prefixed containerd and runc before 18.09, aarch64 folder for arm64", () => {
    const old = componentManifest("docker", "17.12.0-ce", "arm64", "official");
    expect(old.files).toContain("docker-runc");
    expect(old.files).not.toContain("runc");
    expect(old.origin).toMatchObject({ url: "https://download.docker.com/linux/static/stable/aarch64/docker-17.12.0-ce.tgz" });
    expect(componentManifest("docker", "18.09.1", "amd64", "official").files).toEqual(expect.arrayContaining(["runc", "containerd", "ctr"]));
    expect(componentManifest("docker", "20.10.24", "amd64", "official").files).toContain("containerd-shim-runc-v2");
  });

  it("cni: renamed archives from 0.8, no flannel plugin from 1.0", () => {
    expect(componentManifest("cni", "0.6.0", "amd64", "official").origin).toMatchObject({ fileName: "cni-plugins-amd64-v0.6.0.tgz" });
    expect(componentManifest("cni", "0.6.0", "amd64", "official").files).toContain("flannel");
    expect(componentManifest("cni", "1.1.1", "amd64", "official").origin).toMatchObject({ fileName: "cni-plugins-linux-amd64-v1.1.1.tgz" });
    expect(componentManifest("cni", "1.1.1", "amd64", "official").files).not.toContain("flannel");
  });

  it("Debian packages: the upstream version; Kubernetes built from the source package", () => {
    expect(debianUpstreamVersion("20.10.24+dfsg1-1+deb12u1+b6")).toBe("20.10.24");
    expect(debianUpstreamVersion("1:2.0.0~git2019-4")).toBe("2.0.0");
    expect(debianUpstreamVersion("3.4.23-4+b4")).toBe("3.4.23");
    expect(debianUpstreamVersion("1.20.5+really1.20.2-1.1+deb12u1")).toBe("1.20.2");
    const kube = componentManifest("kubernetes", "1.20.2", "amd64", "debian");
    expect(kube.origin).toEqual({ kind: "source-build", programs: kube.files });
    expect(kube.files).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"]);
    expect(versionAtLeast("17.12.0-ce", "18.9.0")).toBe(false);
    expect(versionAtLeast("18.09.0", "18.9.0")).toBe(true);
  });

  it("images: kubelet's sandbox image of the version, and busybox", () => {
    expect(componentManifest("images", "1.7.11", "arm64", "official").origin).toEqual({
      kind: "images",
      images: [
        { file: "pause.tar", reference: "gcr.io/google_containers/pause-arm64:3.0" },
        { file: "busybox.tar", reference: "docker.io/library/busybox:1.35" },
      ],
    });
    const lab = componentManifest("images", "1.20.2", "amd64", "debian");
    expect(lab.files).toEqual(["pause.tar", "busybox.tar"]);
    expect(lab.origin).toMatchObject({ images: [{ reference: "k8s.gcr.io/pause:3.2" }, { reference: "docker.io/library/busybox:1.35" }] });
  });

  it("reads upstream's checksum files: a bare .sha256, and SHA256SUMS lines", () => {
    const a = "a".repeat(64);
    const b = "B".repeat(64);
    expect(sha256From(`${a}\n`, "kubernetes-server-linux-amd64.tar.gz")).toBe(a);
    const sums = `${a}  etcd-v3.3.0-linux-arm64.tar.gz\n${b} *etcd-v3.3.0-linux-amd64.tar.gz\n`;
    expect(sha256From(sums, "etcd-v3.3.0-linux-amd64.tar.gz")).toBe("b".repeat(64));
    expect(sha256From(sums, "etcd-v3.3.0-linux-ppc64le.tar.gz")).toBeUndefined();
    expect(sha256From("<html>Not Found</html>", "x.tgz")).toBeUndefined();
  });
});
