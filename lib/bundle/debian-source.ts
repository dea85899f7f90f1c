/**
 * A component from Debian packages: the .debs in bundle_debs_dir, or fetched with `apt-get
 * download` into a cache, unpacked with dpkg-deb. The component's own package must carry the asked
 * upstream version; helper packages (runc, tini, ...) are taken at the version there is.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";
import type { Arch } from "./bundle-vars.js";
import type { BundleRequest } from "./fill-bundle.js";
import { debianUpstreamVersion, type DebianOrigin } from "./manifest.js";
import { runTool } from "./run-tool.js";

export function fromDebian(origin: DebianOrigin, request: BundleRequest, work: string) {
  const debsDir = request.debsDir || join(process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "easy-kube", "debs");
  const packages = [...new Set(Object.values(origin.members).map((m) => m.package))];
  const debs = new Map<string, string>();
  for (const pkg of packages) {
    const version = origin.versioned.includes(pkg) ? request.version : undefined;
    let deb = findDeb(debsDir, pkg, request.arch, version);
    if (!deb && !request.debsDir) {
      aptDownload(debsDir, pkg, request.arch);
      deb = findDeb(debsDir, pkg, request.arch, version);
    }
    if (!deb) {
      const offered = readdirSync(debsDir).filter((f) => f.startsWith(`${pkg}_`) && f.endsWith(`_${request.arch}.deb`)).map((f) => debianUpstreamVersion(decodeURIComponent(f.split("_")[1]!)));
      throw new EasyKubeError(
        offered.length > 0
          ? `${request.component} ${request.version} was asked for, but ${debsDir} has ${pkg} ${offered.join(", ")}: set ${request.component === "docker" ? "docker" : request.component}_version to the packaged version for bundle_source debian`
          : `${debsDir} has no ${pkg} package for ${request.arch}`,
      );
    }
    const unpacked = join(work, pkg);
    runTool("dpkg-deb", ["-x", deb, unpacked]);
    debs.set(pkg, deb);
  }
  const paths: Record<string, string> = {};
  for (const [name, member] of Object.entries(origin.members)) {
    const path = join(work, member.package, member.path);
    if (!existsSync(path)) throw new EasyKubeError(`${debs.get(member.package)} has no /${member.path} (needed as ${name})`);
    paths[name] = path;
  }
  return { origin: [...debs.values()].map((d) => d.split("/").pop()).join(", "), paths };
}

/** The package's .deb in the folder: of that upstream version when one is given, else the newest. */
function findDeb(dir: string, pkg: string, arch: Arch, version: string | undefined): string | undefined {
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir)
    .filter((f) => f.startsWith(`${pkg}_`) && (f.endsWith(`_${arch}.deb`) || f.endsWith("_all.deb")))
    .filter((f) => version === undefined || debianUpstreamVersion(decodeURIComponent(f.split("_")[1]!)) === version.replace(/^v/, ""));
  return found.length > 0 ? join(dir, found.sort().at(-1)!) : undefined;
}

function aptDownload(dir: string, pkg: string, arch: Arch): void {
  mkdirSync(dir, { recursive: true });
  // apt drops privileges to _apt for downloads: as root, give it the folder (never world-writable).
  if (process.getuid?.() === 0) runTool("chown", ["_apt", dir]);
  const hostArch = runTool("dpkg", ["--print-architecture"]).trim();
  runTool("apt-get", ["download", "-q", hostArch === arch ? pkg : `${pkg}:${arch}`], dir);
}
