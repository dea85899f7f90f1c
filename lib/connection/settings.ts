/**
 * Connection settings from Ansible's connection variables, so existing inventories work unchanged:
 * ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file, ansible_password,
 * ansible_become*, ansible_connection, and the `-o` options of ansible_ssh_common_args /
 * ansible_ssh_extra_args that matter here (UserKnownHostsFile, StrictHostKeyChecking, ConnectTimeout,
 * ServerAliveInterval, ServerAliveCountMax, ProxyJump / -J, ProxyCommand); any other is refused.
 */
import { homedir, userInfo } from "node:os";
import { resolve } from "node:path";
import { EasyKubeError } from "../errors.js";
import type { Vars } from "../inventory/model.js";
import type { BecomeSettings } from "./become.js";
import { parseProxyCommand, parseProxyJump, type ProxySettings } from "./proxy.js";
import { parseSshArgs, SshArgsError } from "./ssh-args.js";

/** What to do with a host key: refuse unknown ones, add unknown ones, or (explicitly) not check. */
export type HostKeyPolicy = "strict" | "accept-new" | "off";

export interface ConnectionSettings {
  readonly kind: "ssh" | "local";
  readonly inventoryName: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeyFile?: string;
  readonly password?: string;
  /** How to become another user (sudo). */
  readonly become: BecomeSettings;
  /** Whether commands run through become unless a task says otherwise (ansible_become, -b). */
  readonly becomeByDefault: boolean;
  readonly knownHostsFile: string;
  readonly hostKeyPolicy: HostKeyPolicy;
  readonly connectTimeoutMs: number;
  /** Keepalive probes: a host that stops answering is unreachable after interval x count. */
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  /** A bastion the connection goes through (ProxyJump or ProxyCommand). */
  readonly proxy?: ProxySettings;
}

/** Options from the command line; they override the inventory like ansible-playbook's flags. */
export interface ConnectionOverrides {
  readonly user?: string;
  readonly privateKeyFile?: string;
  readonly become?: boolean;
  readonly becomeUser?: string;
  readonly becomePassword?: string;
  readonly hostKeyPolicy?: HostKeyPolicy;
  readonly connectTimeoutSeconds?: number;
}

const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);

/**
 * `origins` (variable -> `file:line`) lets errors say where a bad value was set; problems are
 * reported before any connection is made.
 */
export function connectionSettings(name: string, vars: Vars, overrides: ConnectionOverrides = {}, origins?: ReadonlyMap<string, string>): ConnectionSettings {
  const text = (key: string): string | undefined => {
    const value = vars[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "object") throw new EasyKubeError(`host ${name}: ${key} must be a single value, got ${JSON.stringify(value)}`);
    return String(value);
  };
  const where = (variable: string) => `${origins?.get(variable) ?? "inventory"}: host ${name}: `;
  let sshArgs: ReturnType<typeof parseSshArgs>;
  try {
    sshArgs = parseSshArgs(["ansible_ssh_common_args", "ansible_ssh_extra_args"].map((variable) => ({ name: variable, value: text(variable) })));
  } catch (error) {
    if (error instanceof SshArgsError) throw new EasyKubeError(where(error.variable) + error.message);
    throw error;
  }
  const sshOptions = sshArgs.values;
  /** A numeric option (seconds or a count), checked so a typo is reported rather than read as NaN. */
  const sshNumber = (key: string, fallback: number): number => {
    const raw = sshOptions.get(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new EasyKubeError(`${where(sshArgs.sources.get(key)!)}${sshArgs.sources.get(key)}: ${key} must be a whole number, got '${raw}'`);
    return value;
  };
  const proxy = proxySettings(sshOptions, (key, message) => new EasyKubeError(`${where(sshArgs.sources.get(key)!)}${sshArgs.sources.get(key)}: ${message}`));
  const connection = text("ansible_connection") ?? (LOCAL_NAMES.has(name) && vars["ansible_host"] === undefined ? "local" : "ssh");
  if (connection !== "ssh" && connection !== "local" && connection !== "paramiko" && connection !== "smart") {
    throw new EasyKubeError(`host ${name}: ansible_connection '${connection}' is not supported; use ssh or local`);
  }
  const port = Number(text("ansible_port") ?? text("ansible_ssh_port") ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new EasyKubeError(`host ${name}: ansible_port must be 1-65535, got '${text("ansible_port")}'`);
  const becomeWanted = overrides.become ?? truthy(vars["ansible_become"] ?? vars["ansible_sudo"]);
  const becomePassword = overrides.becomePassword ?? text("ansible_become_password") ?? text("ansible_become_pass") ?? text("ansible_sudo_pass");
  const becomeMethod = text("ansible_become_method") ?? "sudo";
  if (becomeWanted && becomeMethod !== "sudo") throw new EasyKubeError(`host ${name}: become method '${becomeMethod}' is not supported; use sudo`);
  const timeout = overrides.connectTimeoutSeconds ?? (sshOptions.has("connecttimeout") ? sshNumber("connecttimeout", 10) : Number(text("ansible_timeout") ?? 10));
  const keyFile = overrides.privateKeyFile ?? text("ansible_ssh_private_key_file") ?? text("ansible_private_key_file");
  return {
    kind: connection === "local" ? "local" : "ssh",
    inventoryName: name,
    address: text("ansible_host") ?? text("ansible_ssh_host") ?? name,
    port,
    user: overrides.user ?? text("ansible_user") ?? text("ansible_ssh_user") ?? userInfo().username,
    privateKeyFile: keyFile === undefined ? undefined : expandHome(keyFile),
    password: text("ansible_password") ?? text("ansible_ssh_pass"),
    become: { user: overrides.becomeUser ?? text("ansible_become_user") ?? "root", password: becomePassword },
    becomeByDefault: becomeWanted,
    knownHostsFile: expandHome(sshOptions.get("userknownhostsfile") ?? "~/.ssh/known_hosts"),
    hostKeyPolicy: overrides.hostKeyPolicy ?? hostKeyPolicyFrom(sshOptions.get("stricthostkeychecking"), vars["ansible_host_key_checking"]),
    connectTimeoutMs: timeout * 1000,
    keepaliveIntervalMs: sshNumber("serveraliveinterval", 5) * 1000,
    keepaliveCountMax: sshNumber("serveralivecountmax", 3),
    ...(proxy && { proxy }),
  };
}

function proxySettings(sshOptions: ReadonlyMap<string, string>, error: (key: string, message: string) => Error): ProxySettings | undefined {
  const jumpSpec = sshOptions.get("proxyjump");
  const commandSpec = sshOptions.get("proxycommand");
  const read = <T>(key: string, parse: () => T): T => {
    try {
      return parse();
    } catch (cause) {
      throw error(key, (cause as Error).message);
    }
  };
  const hops = jumpSpec === undefined ? undefined : read("proxyjump", () => parseProxyJump(jumpSpec));
  const command = commandSpec === undefined ? undefined : read("proxycommand", () => parseProxyCommand(commandSpec));
  // OpenSSH silently uses whichever came first; both at once is almost surely a mistake.
  if (hops && command) throw error("proxycommand", "ProxyJump and ProxyCommand are both set; use one");
  if (hops) return { kind: "jump", hops };
  if (command) return { kind: "command", command };
  return undefined;
}

function hostKeyPolicyFrom(strict: string | undefined, ansibleChecking: unknown): HostKeyPolicy {
  const envChecking = process.env["ANSIBLE_HOST_KEY_CHECKING"];
  if (ansibleChecking !== undefined && !truthy(ansibleChecking)) return "off";
  if (envChecking !== undefined && !truthy(envChecking)) return "off";
  switch (strict?.toLowerCase()) {
    case "no":
    case "off":
      return "off";
    case "accept-new":
      return "accept-new";
    default:
      return "strict";
  }
}

/** Ansible's boolean words: yes/no, true/false, on/off, 1/0. */
export function truthy(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return ["yes", "true", "on", "1", "y", "t"].includes(value.trim().toLowerCase());
  return false;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(path);
}
