/**
 * Where a lab lives and how it is addressed. Several labs can exist side by side (the user's
 * `default` lab and the test suite's `e2e` lab), each with its own bridge and subnet.
 */
import { join } from "node:path";

export interface LabConfig {
  /** Lab name; machines are `<prefix>1..N`. */
  readonly name: string;
  /** The bridge interface (at most 15 characters). */
  readonly bridge: string;
  /** First three octets of the lab's /24, e.g. "10.213.0". The bridge is .1, machines .11 up. */
  readonly subnet: string;
  /** Host name prefix of the machines. */
  readonly prefix: string;
  /** Per-lab state: machine folders, the lab's SSH key, process ids. */
  readonly stateDir: string;
  /** Debian base root filesystems, built once and shared by every lab. */
  readonly cacheDir: string;
  /** Where the generated inventory (hosts, known_hosts) is written. */
  readonly inventoryDir: string;
  /** Debian mirror for building the base. */
  readonly mirror: string;
  readonly suite: string;
}

export const LAB_USER = "ekadmin";
export const MAX_MACHINES = 200;

export function labConfig(name: string, inventoryDir: string, overrides: Partial<LabConfig> = {}): LabConfig {
  const index = name === "default" ? 213 : 214 + (hash(name) % 30);
  return {
    name,
    bridge: `ek-${name}`.slice(0, 15),
    subnet: `10.${index}.0`,
    prefix: name === "default" ? "lab" : `${name}-`,
    stateDir: join(process.env["EASYKUBE_LAB_STATE"] ?? "/var/lib/easy-kube/lab", name),
    cacheDir: process.env["EASYKUBE_LAB_CACHE"] ?? "/var/cache/easy-kube/lab",
    inventoryDir,
    mirror: process.env["EASYKUBE_LAB_MIRROR"] ?? "http://deb.debian.org/debian",
    suite: "bookworm",
    ...overrides,
  };
}

export function machineAddress(config: LabConfig, index: number): string {
  return `${config.subnet}.${11 + index}`;
}

export function machineName(config: LabConfig, index: number): string {
  return `${config.prefix}${index + 1}`;
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}
