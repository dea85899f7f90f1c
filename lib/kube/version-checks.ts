/**
 * What every Kubernetes role checks about the version: before any host is touched, that
 * kube_version is one the roles know the flags of; on a host, that the installed program is that
 * version (a bundle filled for another version must not start).
 */
import { shellQuote } from "../connection/quote.js";
import { command } from "../ops/command.js";
import type { Operation } from "../ops/operation.js";
import { parseKubeVersion } from "./flag-table.js";
import { KUBE_VERSION_FACTS, kubeHas } from "./version-facts.js";

/** kube_version as [major, minor, patch], or undefined with the problem added (not a version, or before 1.7). */
export function knownKubeVersion(kubeVersion: string, problems: Set<string>): [number, number, number] | undefined {
  let version: [number, number, number];
  try {
    version = parseKubeVersion(kubeVersion);
  } catch (error) {
    problems.add(`kube_version: ${(error as Error).message}`);
    return undefined;
  }
  if (!kubeHas("rolesCover", kubeVersion)) {
    const { since, until } = KUBE_VERSION_FACTS.rolesCover;
    problems.add(`kube_version ${kubeVersion}: the roles know the flags of Kubernetes ${since} up to (not including) ${until}; a newer release needs its flag tables checked against its programs first`);
    return undefined;
  }
  return version;
}

/** The program at `path` prints `Kubernetes v<kubeVersion>`; a path with nothing yet (a dry run before the install) passes. */
export function programVersionCheck(path: string, kubeVersion: string): Operation {
  const wanted = `Kubernetes v${kubeVersion.replace(/^v/, "")}`;
  return command({
    cmd: `if [ -x ${shellQuote(path)} ]; then ${shellQuote(path)} --version; fi`,
    readOnly: true,
    failedWhen: (r) => r.rc !== 0 || (r.stdout.trim() !== "" && r.stdout.trim() !== wanted),
  });
}
