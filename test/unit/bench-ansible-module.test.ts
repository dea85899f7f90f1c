/**
 * The benchmark installs Debian's `ansible` when the ansible.posix collection is missing; the check
 * must see a missing collection (ansible-doc of a missing module exits 0 with a warning).
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasAnsibleModule } from "../../bench/lib/ansible-module.js";

/** A collections folder holding `ansible.posix` with only a documented `sysctl` module. */
function collectionsWithPosixSysctl(): string {
  const root = mkdtempSync(join(tmpdir(), "ek-collections-"));
  const collection = join(root, "ansible_collections/ansible/posix");
  mkdirSync(join(collection, "plugins/modules"), { recursive: true });
  writeFileSync(join(collection, "galaxy.yml"), "namespace: ansible\nname: posix\nversion: 1.5.4\nauthors: [x]\nreadme: README.md\n");
  writeFileSync(
    join(collection, "plugins/modules/sysctl.py"),
    "DOCUMENTATION = r'''\nmodule: sysctl\nshort_description: Manage entries in sysctl.conf\ndescription: [x]\nauthor: [x]\n'''\n",
  );
  return root;
}

describe("detecting an Ansible module for the benchmark", () => {
  const empty = { ...process.env, ANSIBLE_COLLECTIONS_PATH: mkdtempSync(join(tmpdir(), "ek-collections-")) };
  const withPosix = { ...process.env, ANSIBLE_COLLECTIONS_PATH: collectionsWithPosixSysctl() };

  it("ansible-doc of a missing module exits 0, so it cannot be the check", () => {
    expect(() => execFileSync("ansible-doc", ["ansible.posix.sysctl"], { env: empty, stdio: "ignore" })).not.toThrow();
  });

  it("sees the module missing without the collection and present with it", () => {
    expect(hasAnsibleModule("ansible.posix.sysctl", empty)).toBe(false);
    expect(hasAnsibleModule("ansible.posix.sysctl", withPosix)).toBe(true);
    expect(hasAnsibleModule("ansible.posix.mount", withPosix)).toBe(false);
  });
});
