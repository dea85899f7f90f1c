/** Connection settings for the test sshd, as an inventory would produce them. */
import { connectionSettings, type ConnectionOverrides, type ConnectionSettings } from "../../lib/connection/settings.js";
import type { TestSshd } from "./sshd.js";

export function sshdSettings(sshd: TestSshd, user = "root", extra: Record<string, unknown> = {}, overrides: ConnectionOverrides = {}): ConnectionSettings {
  return connectionSettings(
    "testhost",
    {
      ansible_host: "127.0.0.1",
      ansible_port: sshd.port,
      ansible_user: user,
      ansible_ssh_private_key_file: sshd.clientKey,
      ansible_ssh_common_args: `-o UserKnownHostsFile=${sshd.knownHosts}`,
      ...extra,
    },
    overrides,
  );
}
