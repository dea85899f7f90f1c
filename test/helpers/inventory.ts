/** Inventories that point several host names at the test sshd, the way a cluster's would. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUDO_USER, type TestSshd } from "./sshd.js";

export interface TestInventory {
  readonly dir: string;
  readonly file: string;
}

/** `hosts` maps group -> host names; every host reaches the sshd as the sudo user with become. */
export function sshdInventory(sshd: TestSshd, groups: Record<string, string[]>, extra = ""): TestInventory {
  const dir = mkdtempSync(join(tmpdir(), "ek-inv-"));
  const sections = Object.entries(groups).map(([group, hosts]) => `[${group}]\n${hosts.join("\n")}\n`);
  const file = join(dir, "hosts");
  writeFileSync(
    file,
    [
      ...sections,
      "[all:vars]",
      "ansible_host=127.0.0.1",
      `ansible_port=${sshd.port}`,
      `ansible_user=${SUDO_USER}`,
      "ansible_become=true",
      `ansible_ssh_private_key_file=${sshd.clientKey}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHosts}'`,
      extra,
    ].join("\n") + "\n",
  );
  return { dir, file };
}
