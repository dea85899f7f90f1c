/**
 * Ad-hoc commands, like `ansible PATTERN -m shell -a CMD` and `ansible PATTERN -m ping`: one
 * command on every matched host in parallel, each host's output printed as it finishes.
 */
import { openConnection } from "../connection/open.js";
import { connectionSettings, type ConnectionOverrides } from "../connection/settings.js";
import { EasyKubeError } from "../errors.js";
import type { Inventory } from "../inventory/inventory.js";
import { matchPattern } from "../inventory/patterns.js";
import { SecretMasker } from "../output/masker.js";
import { interpolateVars } from "../vars/interpolate.js";
import { mapLimited } from "../util/semaphore.js";

export interface AdhocOptions {
  readonly inventory: Inventory;
  readonly pattern: string;
  readonly command: string;
  readonly forks: number;
  readonly connection: ConnectionOverrides;
  readonly out: NodeJS.WritableStream;
  /** `ping` prints SUCCESS/pong instead of the output. */
  readonly ping?: boolean;
}

/** Returns the exit code: 0 all fine, 2 a command failed, 4 a host was unreachable. */
export async function runAdhoc(options: AdhocOptions): Promise<number> {
  const { hosts, unmatched } = matchPattern(options.inventory, options.pattern);
  if (hosts.length === 0) throw new EasyKubeError(`pattern '${options.pattern}' matches no hosts${unmatched.length ? ` (no host or group named ${unmatched.join(", ")})` : ""}`);
  const masker = new SecretMasker();
  const settings = hosts.map((host) => {
    const { vars, origins } = options.inventory.hostVars(host);
    const s = connectionSettings(host, interpolateVars(vars), options.connection, origins);
    masker.add(s.password);
    masker.add(s.become.password);
    return s;
  });
  let failed = false;
  let unreachable = false;
  const print = (text: string) => options.out.write(masker.mask(text));
  await mapLimited(settings, options.forks, async (s) => {
    const connection = openConnection(s);
    try {
      const result = await connection.run(options.command);
      if (options.ping) {
        const ok = result.code === 0 && result.stdout.trim() === "pong";
        failed ||= !ok;
        print(ok ? `${s.inventoryName} | SUCCESS => {"ping": "pong"}\n` : `${s.inventoryName} | FAILED! => ${result.stderr.trim()}\n`);
        return;
      }
      failed ||= result.code !== 0;
      const output = (result.stdout + result.stderr).replace(/\n$/, "");
      print(`${s.inventoryName} | ${result.code === 0 ? "CHANGED" : "FAILED"} | rc=${result.code} >>\n${output}${output ? "\n" : ""}`);
    } catch (error) {
      unreachable = true;
      print(`${s.inventoryName} | UNREACHABLE! => ${(error as Error).message}\n`);
    } finally {
      await connection.close();
    }
  });
  return failed ? 2 : unreachable ? 4 : 0;
}
