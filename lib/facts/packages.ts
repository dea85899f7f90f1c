/** The host's package manager and which packages are installed, at what version. */
import { shellCommand } from "../connection/quote.js";
import { defineFact } from "./fact.js";

export type PackageManager = "apt" | "dnf" | "yum";

export const packageManager = defineFact<null, PackageManager | undefined>({
  name: "package_manager",
  command: () => `for m in apt-get dnf yum; do if command -v $m >/dev/null 2>&1; then echo $m; exit 0; fi; done; echo none`,
  parse: ({ stdout }) => ({ "apt-get": "apt", dnf: "dnf", yum: "yum" })[stdout.trim()] as PackageManager | undefined,
});

/**
 * Bare package name -> installed version, for the names asked about (missing names are absent).
 * Versions are the manager's full ones, with the epoch when there is one: dpkg's `5:20.10.24~3-0~debian-bookworm`,
 * rpm's `3:20.10.24-3.el7` (or `1.4.4-7.el7` without an epoch), so pinned versions compare exactly.
 */
export const installedPackages = defineFact<{ manager: PackageManager; names: readonly string[] }, Map<string, string>>({
  name: "installed_packages",
  command: ({ manager, names }) =>
    manager === "apt"
      ? `${shellCommand("dpkg-query", "-W", "-f=${Package}\\t${Status}\\t${Version}\\n", "--", ...names)} 2>/dev/null; true`
      : `${shellCommand("rpm", "-q", "--qf", "%{NAME}\\tinstall ok installed\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\n", "--", ...names)} 2>/dev/null | grep -v 'is not installed'; true`,
  parse({ stdout }) {
    const installed = new Map<string, string>();
    for (const line of stdout.split("\n")) {
      const [name, status, version = ""] = line.split("\t");
      // dpkg's status is "want ok state": a held package (`hold ok installed`, as pinned Docker often is) is installed too.
      if (name && status?.split(" ")[2] === "installed") installed.set(name, version.replace(/^\(none\):/, ""));
    }
    return installed;
  },
});
