/** SSH connections to a lab's machines as its generated inventory describes them, closed together. */
import { connectionSettings } from "../../lib/connection/settings.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import { loadInventory } from "../../lib/inventory/load.js";

export class LabSsh {
  private open: SshConnection[] = [];

  /** `inventoryFile` is read at each connect: a lab reset rewrites it (new host keys). */
  constructor(private readonly inventoryFile: () => string) {}

  connect(host: string): SshConnection {
    const connection = new SshConnection(connectionSettings(host, loadInventory([this.inventoryFile()]).hostVars(host).vars));
    this.open.push(connection);
    return connection;
  }

  async closeAll(): Promise<void> {
    const closing = this.open;
    this.open = [];
    await Promise.all(closing.map((c) => c.close()));
  }
}
