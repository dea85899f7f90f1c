/**
 * Whether Ansible has a module. `ansible-doc ansible.posix.sysctl` cannot tell: with the collection
 * missing it only warns and exits 0. Listing the collection's modules fails when the collection
 * is missing, and names the module when it is there.
 */
import { execFileSync } from "node:child_process";

/** `module` is a fully qualified name such as `ansible.posix.sysctl`. */
export function hasAnsibleModule(module: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const collection = module.split(".").slice(0, 2).join(".");
  let listing: string;
  try {
    listing = execFileSync("ansible-doc", ["-t", "module", "-l", collection], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return false;
  }
  return listing.split("\n").some((line) => line.split(/\s/)[0] === module);
}
