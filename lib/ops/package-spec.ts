/**
 * A package as `packages` is given it, perhaps pinned to a version in the package manager's own
 * syntax, and whether what is installed satisfies it:
 * - apt: `name=version`, compared as apt compares it: with the epoch when the package has one
 *   (`docker-ce=5:20.10.24~3-0~debian-bookworm`), `*`, `?` and `[...]` as globs (`docker-ce=5:20.10.*`);
 * - yum and dnf: `name-version`, `name-version-release`, `name-epoch:version-release`, and globs
 *   (`docker-ce-17.12*`); a version without an epoch matches any epoch, as yum does.
 * The installed-packages fact is keyed by bare package name, so a pinned spec names the bare names
 * it may be (for yum, one per way of splitting a version off at a dash) and is matched against them.
 */
import { EasyKubeError } from "../errors.js";
import type { PackageManager } from "../facts/packages.js";

export interface PackageSpec {
  /** As given, and as handed to the package manager. */
  readonly spec: string;
  /** Bare package names this spec may refer to (what the installed-packages fact is asked about). */
  readonly names: readonly string[];
  /** The installed version that satisfies the spec, or undefined. */
  satisfiedBy(installed: ReadonlyMap<string, string>): string | undefined;
}

export function parsePackageSpec(manager: PackageManager, spec: string): PackageSpec {
  return manager === "apt" ? aptSpec(spec) : rpmSpec(spec);
}

function aptSpec(spec: string): PackageSpec {
  const equals = spec.indexOf("=");
  if (equals < 0) return { spec, names: [spec], satisfiedBy: (installed) => installed.get(spec) };
  const name = spec.slice(0, equals);
  const pattern = spec.slice(equals + 1);
  return {
    spec,
    names: [name],
    satisfiedBy(installed) {
      const version = installed.get(name);
      if (version === undefined) return undefined;
      if (globMatches(pattern, version)) return version;
      const withoutEpoch = version.replace(/^\d+:/, "");
      if (withoutEpoch !== version && !/^\d+:/.test(pattern) && globMatches(pattern, withoutEpoch)) {
        // apt would answer "Version '...' was not found" on every run: say how to write it instead.
        throw new EasyKubeError(`package ${spec}: apt compares versions with their epoch; ${name} ${version} is installed, so write ${name}=${version.slice(0, version.indexOf(":") + 1)}${pattern}`);
      }
      return undefined;
    },
  };
}

/** Versions start with a digit (or a glob); a dash before anything else is part of the name (`conntrack-tools`). */
const VERSION_START = /^(\d+:)?[\d*?[]/;

function rpmSpec(given: string): PackageSpec {
  // yum also takes the epoch in front of the name: `3:docker-ce-20.10.24-3.el7`.
  const leadingEpoch = /^(\d+):(.+)$/.exec(given);
  const spec = leadingEpoch ? leadingEpoch[2]! : given;
  const splits: { name: string; version?: string }[] = [{ name: spec }];
  for (let dash = spec.indexOf("-"); dash > 0; dash = spec.indexOf("-", dash + 1)) {
    const version = spec.slice(dash + 1);
    if (VERSION_START.test(version)) splits.push({ name: spec.slice(0, dash), version: leadingEpoch && !/^\d+:/.test(version) ? `${leadingEpoch[1]}:${version}` : version });
  }
  return {
    spec: given,
    names: [...new Set(splits.map((s) => s.name))],
    satisfiedBy(installed) {
      for (const { name, version } of splits) {
        const actual = installed.get(name);
        if (actual === undefined) continue;
        if (version === undefined || rpmVersionMatches(version, actual)) return actual;
      }
      return undefined;
    },
  };
}

/** `pattern` is what followed the name: version, version-release, epoch:version-release, or a glob of these. */
function rpmVersionMatches(pattern: string, installed: string): boolean {
  const [, installedEpoch = "0", versionRelease = installed] = /^(?:(\d+):)?(.*)$/.exec(installed)!;
  const pinnedEpoch = /^(\d+):(.*)$/.exec(pattern);
  if (pinnedEpoch && Number(pinnedEpoch[1]) !== Number(installedEpoch)) return false;
  const wanted = pinnedEpoch ? pinnedEpoch[2]! : pattern;
  const version = versionRelease.slice(0, versionRelease.lastIndexOf("-") < 0 ? undefined : versionRelease.lastIndexOf("-"));
  return globMatches(wanted, version) || globMatches(wanted, versionRelease);
}

/** fnmatch as apt and yum use it: `*`, `?`, `[...]` (`[!...]` negated); everything else literal. */
export function globMatches(pattern: string, text: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[" && pattern.indexOf("]", i + 2) > 0) {
      const end = pattern.indexOf("]", i + 2);
      const body = pattern.slice(i + 1, end);
      source += `[${body.startsWith("!") ? "^" + body.slice(1).replace(/[\\\]^]/g, "\\$&") : body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s").test(text);
}
