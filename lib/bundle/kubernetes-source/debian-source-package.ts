/**
 * A Debian source package fetched with apt, without changing the machine's apt configuration: apt
 * runs with a private sources folder (the machine's own `deb` entries turned into `deb-src`) and
 * private lists and caches, so the machine's package lists and sources stay as they are. apt checks
 * the downloaded files against the signed Sources index; they are checked again here against the
 * .dsc's Checksums-Sha256 before anything is unpacked.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../../errors.js";
import { sha256OfFile } from "../../ops/local-file.js";
import { debianUpstreamVersion } from "../manifest.js";
import { runTool } from "../run-tool.js";

export interface SourcePackage {
  /** Debian's version, e.g. "1.20.5+really1.20.2-1.1+deb12u1". */
  readonly debianVersion: string;
  readonly dsc: string;
}

/** The `deb-src` twin of every `deb` entry in the machine's apt sources (deb822 and one-line). */
export function debSrcEntries(aptEtc = "/etc/apt"): { deb822: string; oneLine: string } {
  const deb822: string[] = [];
  const oneLine: string[] = [];
  const partsDir = join(aptEtc, "sources.list.d");
  const parts = existsSync(partsDir) ? readdirSync(partsDir).sort().map((f) => join(partsDir, f)) : [];
  for (const file of [join(aptEtc, "sources.list"), ...parts]) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        if (/^Enabled:\s*no\s*$/im.test(stanza)) continue;
        if (/^Types:.*\bdeb\b/m.test(stanza)) deb822.push(stanza.replace(/^Types:.*$/m, "Types: deb-src").trim());
      }
    } else if (file.endsWith(".list")) {
      for (const line of text.split("\n")) if (/^\s*deb\s/.test(line)) oneLine.push(line.replace(/^\s*deb\s/, "deb-src "));
    }
  }
  return { deb822: deb822.join("\n\n") + "\n", oneLine: oneLine.join("\n") + "\n" };
}

/** apt-get/apt-cache options that confine apt to a private state folder with deb-src entries. */
function privateAptOptions(state: string): string[] {
  return [
    "-o", `Dir::State::Lists=${join(state, "lists")}`,
    "-o", "Dir::Etc::SourceList=/dev/null",
    "-o", `Dir::Etc::SourceParts=${join(state, "sources.list.d")}`,
    "-o", `Dir::Cache=${join(state, "cache")}`,
    "-o", "Debug::NoLocking=1",
  ];
}

/**
 * Downloads the source package whose upstream version is `upstreamVersion` into `dir` (kept there:
 * a second call with the files present and intact downloads nothing) and returns its .dsc.
 */
export function fetchSourcePackage(name: string, upstreamVersion: string, dir: string, log: (line: string) => void): SourcePackage {
  const present = findDsc(dir, name, upstreamVersion);
  if (present && dscFilesIntact(present)) return present;
  const state = join(dir, ".apt");
  rmSync(state, { recursive: true, force: true });
  for (const sub of ["lists/partial", "cache/archives/partial", "sources.list.d"]) mkdirSync(join(state, sub), { recursive: true });
  const { deb822, oneLine } = debSrcEntries();
  writeFileSync(join(state, "sources.list.d", "machine.sources"), deb822);
  writeFileSync(join(state, "sources.list.d", "machine.list"), oneLine);
  // apt downloads as _apt: it must be able to write where the files land (never world-writable).
  if (process.getuid?.() === 0) runTool("chown", ["-R", "_apt", state, dir]);
  const apt = privateAptOptions(state);
  log(`apt-get update (deb-src of the machine's sources, in ${state})`);
  runTool("apt-get", [...apt, "-q", "update"]);
  const offered = runTool("apt-cache", [...apt, "showsrc", name])
    .split("\n")
    .filter((l) => l.startsWith("Version: "))
    .map((l) => l.slice("Version: ".length).trim());
  const version = offered.find((v) => debianUpstreamVersion(v) === upstreamVersion);
  if (!version) {
    throw new EasyKubeError(
      offered.length === 0
        ? `no Debian source package ${name} in the machine's apt sources`
        : `Debian's source package ${name} has ${[...new Set(offered.map(debianUpstreamVersion))].join(", ")}, not ${upstreamVersion}: set kube_version to the packaged version for bundle_source debian`,
    );
  }
  log(`apt-get source --download-only ${name}=${version}`);
  runTool("apt-get", [...apt, "-q", "source", "--download-only", `${name}=${version}`], dir);
  const dsc = findDsc(dir, name, upstreamVersion);
  if (!dsc) throw new EasyKubeError(`apt-get source ${name}=${version} left no .dsc in ${dir}`);
  const damaged = dscProblems(dsc.dsc);
  if (damaged.length > 0) throw new EasyKubeError(`${dsc.dsc}: ${damaged.join("; ")}`);
  return dsc;
}

function findDsc(dir: string, name: string, upstreamVersion: string): SourcePackage | undefined {
  if (!existsSync(dir)) return undefined;
  const dscs = readdirSync(dir).filter((f) => f.startsWith(`${name}_`) && f.endsWith(".dsc"));
  const match = dscs.find((f) => debianUpstreamVersion(f.slice(name.length + 1, -".dsc".length)) === upstreamVersion);
  return match ? { debianVersion: match.slice(name.length + 1, -".dsc".length), dsc: join(dir, match) } : undefined;
}

function dscFilesIntact(source: SourcePackage): boolean {
  return dscProblems(source.dsc).length === 0;
}

/** Every file the .dsc lists, checked against its Checksums-Sha256 and size. */
export function dscProblems(dsc: string): string[] {
  const listed = dscChecksums(readFileSync(dsc, "utf8"));
  if (listed.length === 0) return ["lists no Checksums-Sha256"];
  const problems: string[] = [];
  const dir = join(dsc, "..");
  for (const { sha256, size, file } of listed) {
    const path = join(dir, file);
    if (!existsSync(path)) problems.push(`${file} is missing`);
    else if (sha256OfFile(path) !== sha256) problems.push(`${file} does not match its sha256 ${sha256} (size ${size})`);
  }
  return problems;
}

/** The Checksums-Sha256 field of a .dsc: " <sha256> <size> <file>" lines. */
export function dscChecksums(text: string): { sha256: string; size: number; file: string }[] {
  const field = /^Checksums-Sha256:[^\n]*\n((?:[ \t][^\n]*\n?)*)/m.exec(text);
  if (!field) return [];
  return field[1]!
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((parts) => parts.length === 3)
    .map(([sha256, size, file]) => ({ sha256: sha256!, size: Number(size), file: file! }));
}

/** Unpacks a verified source package (Debian's patches applied) into `tree`, atomically. */
export function unpackSourcePackage(source: SourcePackage, tree: string): void {
  const damaged = dscProblems(source.dsc);
  if (damaged.length > 0) throw new EasyKubeError(`${source.dsc}: ${damaged.join("; ")}`);
  const temporary = `${tree}.unpacking`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(join(tree, ".."), { recursive: true });
  runTool("dpkg-source", ["-x", source.dsc, temporary]);
  renameSync(temporary, tree);
}
