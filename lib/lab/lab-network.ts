/**
 * The lab's private network: a bridge with the host at .1, and a firewall chain that drops
 * anything crossing between the bridge and any other interface. The host's ip_forward is left as
 * it is; with the chain in place nothing from the lab is routed off this machine either way.
 */
import { execFileSync } from "node:child_process";
import type { LabConfig } from "./lab-config.js";

function run(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function succeeds(...args: string[]): boolean {
  try {
    run(...args);
    return true;
  } catch {
    return false;
  }
}

export function chainName(config: LabConfig): string {
  return `EK-LAB-${config.name}`.slice(0, 28).toUpperCase();
}

export function ensureLabNetwork(config: LabConfig): void {
  const { bridge } = config;
  if (!succeeds("ip", "link", "show", bridge)) run("ip", "link", "add", bridge, "type", "bridge");
  const address = `${config.subnet}.1/24`;
  if (!run("ip", "-o", "-4", "addr", "show", "dev", bridge).includes(address)) run("ip", "addr", "add", address, "dev", bridge);
  run("ip", "link", "set", bridge, "up");

  const chain = chainName(config);
  if (!succeeds("iptables", "-w", "-n", "-L", chain)) run("iptables", "-w", "-N", chain);
  run("iptables", "-w", "-F", chain);
  run("iptables", "-w", "-A", chain, "-i", bridge, "-o", bridge, "-j", "ACCEPT");
  run("iptables", "-w", "-A", chain, "-i", bridge, "-j", "DROP");
  run("iptables", "-w", "-A", chain, "-o", bridge, "-j", "DROP");
  if (!succeeds("iptables", "-w", "-C", "FORWARD", "-j", chain)) run("iptables", "-w", "-I", "FORWARD", "1", "-j", chain);
}

export function removeLabNetwork(config: LabConfig): void {
  const chain = chainName(config);
  while (succeeds("iptables", "-w", "-C", "FORWARD", "-j", chain)) run("iptables", "-w", "-D", "FORWARD", "-j", chain);
  if (succeeds("iptables", "-w", "-n", "-L", chain)) {
    run("iptables", "-w", "-F", chain);
    run("iptables", "-w", "-X", chain);
  }
  if (succeeds("ip", "link", "show", config.bridge)) run("ip", "link", "del", config.bridge);
}
