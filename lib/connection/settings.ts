/**
 * Connection settings from Ansible's connection variables, so existing inventories work unchanged:
 * ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file, ansible_password,
 * ansible_become*, ansible_connection, and the `-o` options of ansible_ssh_common_args /
 * ansible_ssh_extra_args that matter here (UserKnownHostsFile, StrictHostKeyChecking, ConnectTimeout,
 * ServerAliveInterval, ServerAliveCountMax).
 */
import { homedir, userInfo } from "node:os";
import { resolve } from "node:path";
import { EasyKubeError } from "../errors.js";
import type { Vars } from "../inventory/model.js";
import type { BecomeSettings } from "./become.js";

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

export function connectionSettings(name: string, vars: Vars, overrides: ConnectionOverrides = {}): ConnectionSettings {
  const text = (key: string): string | undefined => {
    const value = vars[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "object") throw new EasyKubeError(`host ${name}: ${key} must be a single value, got ${JSON.stringify(value)}`);
    return String(value);
  };
  const sshOptions = parseSshOptions([text("ansible_ssh_common_args"), text("ansible_ssh_extra_args")].filter((s): s is string => !!s).join(" "));
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
  const timeout = overrides.connectTimeoutSeconds ?? Number(sshOptions.get("connecttimeout") ?? text("ansible_timeout") ?? 10);
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
    keepaliveIntervalMs: Number(sshOptions.get("serveraliveinterval") ?? 5) * 1000,
    keepaliveCountMax: Number(sshOptions.get("serveralivecountmax") ?? 3),
  };
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

/** `-o Key=Value` and `-oKey=Value` pairs from an ssh argument string, keys lower-cased. */
export function parseSshOptions(args: string): Map<string, string> {
  const options = new Map<string, string>();
  const words = args.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!.replace(/["']/g, "");
    const option = word === "-o" ? words[++i]?.replace(/["']/g, "") : word.startsWith("-o") ? word.slice(2) : undefined;
    const match = option ? /^([A-Za-z]+)\s*[= ]\s*(.+)$/.exec(option) : null;
    if (match) options.set(match[1]!.toLowerCase(), match[2]!);
  }
  return options;
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
