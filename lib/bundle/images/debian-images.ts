/**
 * The lab's images, built without a registry or Docker: the pause image from the Kubernetes
 * source's own pause program (statically linked, built with the Kubernetes programs: from Debian's
 * source package for bundle_source debian, from the k8s.io/kubernetes module for go), and busybox
 * from Debian's busybox-static. Each is one layer, written as a docker-archive with the tag the
 * roles expect (containerd's `ctr images import` reads the same archive).
 */
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../../errors.js";
import { fromDebian } from "../debian-source.js";
import type { Arch, BundleSource } from "../bundle-vars.js";
import type { BundleRequest } from "../fill-bundle.js";
import { kubernetesFromDebianSource } from "../kubernetes-source/kubernetes-build.js";
import { buildFromGoModules } from "../go-source/go-module-build.js";
import { corednsRecipe, kubernetesRecipe } from "../go-source/go-recipes.js";
import { corednsFor, dockerTag, type BundleImage } from "./bundle-images.js";
import { layerTarOf, writeDockerArchive } from "./docker-archive.js";

/** A fixed time, so the same programs give the same archive (and image ID). */
const CREATED = "1970-01-01T00:00:00Z";

/** Applets linked in the busybox image: a fixed list, so the image does not depend on the build host. */
const BUSYBOX_APPLETS = [
  "sh", "ash", "cat", "cp", "date", "df", "du", "echo", "env", "false", "find", "grep", "head", "hostname", "id", "ip",
  "kill", "ln", "ls", "mkdir", "mount", "mv", "nc", "netstat", "nslookup", "ping", "ps", "pwd", "rm", "route", "sed",
  "seq", "sleep", "sort", "tail", "tee", "test", "timeout", "top", "touch", "tr", "traceroute", "true", "uname", "uniq",
  "vi", "wc", "wget", "which", "xargs", "httpd", "awk", "cut", "dmesg", "ifconfig", "sync", "[",
];

/** The build that holds `pause`: the Kubernetes module's (source go) or Debian's source package's (source debian). */
export function pauseBuild(source: BundleSource, version: string, arch: Arch, log: (line: string) => void): Promise<{ origin: string; paths: Record<string, string> }> {
  return source === "go" ? buildFromGoModules({ component: "kubernetes", version, arch, recipe: kubernetesRecipe }, log) : kubernetesFromDebianSource(version, arch, ["pause"], log);
}

/** CoreDNS for the release's image, from its Go module (no Debian package carries it), whichever source the rest comes from. */
export function corednsBuild(kubeVersion: string, arch: Arch, log: (line: string) => void): Promise<{ origin: string; paths: Record<string, string> }> {
  const coredns = corednsFor(kubeVersion);
  if (!coredns) throw new EasyKubeError(`the bundle knows no CoreDNS for Kubernetes ${kubeVersion}`);
  return buildFromGoModules({ component: "coredns", version: coredns.version, arch, recipe: corednsRecipe }, log);
}

/** Every build the images of a release take from source (ahead of `easy-kube bundle`: prebuild.ts). */
export async function imageBuilds(source: BundleSource, kubeVersion: string, arch: Arch, log: (line: string) => void): Promise<string> {
  const origins = [(await pauseBuild(source, kubeVersion, arch, log)).origin];
  if (corednsFor(kubeVersion)) origins.push((await corednsBuild(kubeVersion, arch, log)).origin);
  return origins.join("; ");
}

export async function builtImage(image: BundleImage, request: BundleRequest, work: string, log: (line: string) => void): Promise<{ path: string; origin: string }> {
  const rootfs = join(work, `${image.file}.rootfs`);
  mkdirSync(rootfs, { recursive: true });
  let origin: string;
  let config;
  if (image.file === "pause.tar") {
    const build = await pauseBuild(request.source, request.version, request.arch, log);
    copyFileSync(build.paths["pause"]!, join(rootfs, "pause"));
    chmodSync(join(rootfs, "pause"), 0o755);
    origin = `pause from ${build.origin}`;
    config = { Entrypoint: ["/pause"], User: "65535:65535" };
  } else if (image.file === "busybox.tar") {
    const debs = join(work, "busybox-deb");
    mkdirSync(debs, { recursive: true });
    const unpacked = fromDebian({ kind: "debian", versioned: [], members: { busybox: { package: "busybox-static", path: "bin/busybox" } } }, request, debs);
    busyboxTree(unpacked.paths["busybox"]!, rootfs);
    origin = `busybox from ${unpacked.origin}`;
    config = { Cmd: ["sh"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] };
  } else if (image.file === "coredns.tar") {
    const build = await corednsBuild(request.version, request.arch, log);
    copyFileSync(build.paths["coredns"]!, join(rootfs, "coredns"));
    chmodSync(join(rootfs, "coredns"), 0o755);
    origin = `coredns from ${build.origin}`;
    // Not root: the Deployment listens on 8053 and the Service maps 53 to it, so no capability is needed.
    config = { Entrypoint: ["/coredns"], User: "65532:65532" };
  } else {
    throw new EasyKubeError(`bundle_source ${request.source} cannot build the image ${image.reference} (${image.file}): fill the images component from a registry (bundle_source official or mirror)`);
  }
  const layer = join(work, `${image.file}.layer.tar`);
  layerTarOf(rootfs, layer);
  const path = join(work, image.file);
  const written = writeDockerArchive(path, { repoTags: [dockerTag(image.reference)], architecture: request.arch, config, layerTars: [layer], created: CREATED });
  return { path, origin: `${origin}, image ${written.imageId}` };
}

function busyboxTree(busybox: string, rootfs: string): void {
  for (const dir of ["bin", "etc", "tmp", "root", "var", "home"]) mkdirSync(join(rootfs, dir), { recursive: true });
  chmodSync(join(rootfs, "tmp"), 0o1777);
  copyFileSync(busybox, join(rootfs, "bin/busybox"));
  chmodSync(join(rootfs, "bin/busybox"), 0o755);
  for (const applet of BUSYBOX_APPLETS) symlinkSync("busybox", join(rootfs, "bin", applet));
  writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
  writeFileSync(join(rootfs, "etc/group"), "root:x:0:\nnobody:x:65534:\n");
}
