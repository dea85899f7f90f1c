/**
 * Whether a kernel module is loaded, built into the kernel, or missing; and whether it is persisted.
 * Built-in modules are found in modules.builtin, in /sys/module (those with parameters), or, inside
 * containers where the kernel's module list is not visible, by the feature they provide.
 */
import { shellQuote } from "../connection/quote.js";
import { defineFact } from "./fact.js";

export interface ModuleState {
  readonly status: "loaded" | "builtin" | "missing";
  readonly persisted: boolean;
}

/** Evidence that a module's feature is present although the module itself is not listed. */
const FEATURE_PROBES: Record<string, string> = {
  overlay: "grep -qw overlay /proc/filesystems",
  br_netfilter: "[ -d /proc/sys/net/bridge ]",
  bridge: "[ -d /sys/class/net/bridge ] || [ -e /sys/module/bridge ]",
  nf_conntrack: "[ -e /proc/sys/net/netfilter/nf_conntrack_max ]",
  ip_vs: "[ -e /proc/net/ip_vs ]",
  ipip: "[ -e /sys/class/net/tunl0 ]",
};

export const kernelModuleState = defineFact<{ name: string; file: string }, ModuleState>({
  name: "kernel_module",
  command: ({ name, file }) => {
    const canonical = name.replace(/-/g, "_");
    const probe = FEATURE_PROBES[canonical] ?? "false";
    return [
      `m=${shellQuote(canonical)}`,
      `if grep -q "^$m " /proc/modules 2>/dev/null; then s=loaded`,
      `elif grep -qE "/$m\\.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null || [ -d "/sys/module/$m" ]; then s=builtin`,
      `elif ${probe}; then s=builtin`,
      `else s=missing; fi`,
      `if grep -qx ${shellQuote(name)} ${shellQuote(file)} 2>/dev/null; then p=yes; else p=no; fi`,
      `echo "$s $p"`,
    ].join("\n");
  },
  parse: ({ stdout }) => {
    const [status, persisted] = stdout.trim().split(" ");
    return { status: status as ModuleState["status"], persisted: persisted === "yes" };
  },
});
