/**
 * The ssh command-line options of ansible_ssh_common_args / ansible_ssh_extra_args, read as
 * Ansible passes them to ssh: split with Python's `shlex.split`, then `-o Key=Value`, `-oKey=Value`,
 * `-o "Key Value"` and `-J jump`. Every option easy-kube does not honour is refused, so an
 * inventory never silently loses a setting (a bastion, a different config file) it relies on.
 */
import { EasyKubeError } from "../errors.js";
import { shlexSplit } from "../inventory/shlex.js";

/** Options that change what easy-kube does, by their lower-cased name. */
const HONOURED = ["UserKnownHostsFile", "StrictHostKeyChecking", "ConnectTimeout", "ServerAliveInterval", "ServerAliveCountMax", "ProxyJump", "ProxyCommand"];
/**
 * Connection sharing (ControlMaster and friends), which Ansible inventories often carry for speed:
 * easy-kube keeps one connection per host for the whole run anyway, so they are accepted as met.
 */
const ALREADY_MET = ["ControlMaster", "ControlPersist", "ControlPath"];
const KNOWN = new Map([...HONOURED, ...ALREADY_MET].map((name) => [name.toLowerCase(), name]));

export interface SshArgsOptions {
  /** Option values by lower-cased name; as in OpenSSH, the first value given for an option wins. */
  readonly values: ReadonlyMap<string, string>;
  /** Which variable each option came from (for messages). */
  readonly sources: ReadonlyMap<string, string>;
}

/** A problem with one variable's ssh arguments; `variable` says which one. */
export class SshArgsError extends EasyKubeError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** Reads the options of several variables in order (common args before extra args, as Ansible places them). */
export function parseSshArgs(variables: readonly { readonly name: string; readonly value: string | undefined }[]): SshArgsOptions {
  const values = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const { name, value } of variables) {
    if (!value) continue;
    for (const [key, optionValue] of optionsOf(name, value)) {
      if (values.has(key)) continue;
      values.set(key, optionValue);
      sources.set(key, name);
    }
  }
  return { values, sources };
}

function optionsOf(variable: string, args: string): [string, string][] {
  let words: string[];
  try {
    words = shlexSplit(args, { comments: false })
      .map((w) => w.trim())
      .filter(Boolean);
  } catch (error) {
    throw new SshArgsError(variable, `cannot split '${args}' as a shell would: ${(error as Error).message}`);
  }
  const options: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = /^-[oJ]/.test(word) ? word.slice(0, 2) : undefined;
    if (!flag) throw new SshArgsError(variable, `ssh argument '${word}' is not supported; easy-kube reads only -o options (${HONOURED.join(", ")}) and -J`);
    const argument = word.length > 2 ? word.slice(2) : words[++i];
    if (argument === undefined) throw new SshArgsError(variable, `${flag} needs a value`);
    options.push(flag === "-J" ? ["proxyjump", argument] : option(variable, argument));
  }
  return options;
}

/** `Key=Value`, `Key Value` or `Key = Value`, as OpenSSH reads a configuration line. */
function option(variable: string, text: string): [string, string] {
  const match = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/s.exec(text);
  if (!match || match[2]!.trim() === "") throw new SshArgsError(variable, `cannot read '-o ${text}': expected -o Key=Value`);
  const name = match[1]!;
  if (!KNOWN.has(name.toLowerCase())) {
    throw new SshArgsError(variable, `ssh option ${name} is not supported; easy-kube honours ${HONOURED.join(", ")} (and accepts ${ALREADY_MET.join(", ")}, since it keeps one connection per host)`);
  }
  const key = name.toLowerCase();
  const value = match[2]!.trim();
  // A ProxyCommand is handed to the shell as written; other values may be quoted, as ssh_config allows.
  return [key, key === "proxycommand" ? value : value.replace(/^"(.*)"$/s, "$1")];
}
