/**
 * Host names as Ansible inventories write them: `name`, `name:port`, `[ipv6]:port`, and ranges
 * such as `node[01:20]`, `10.0.0.[1:9:2]` or `rack[a:f]` (expanded in order, nested left to right).
 * The rules follow ansible/parsing/utils/addresses.py and expand_hostname_range().
 */

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alphanumericRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv4Part = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const ipv6Part = String.raw`(?:[0-9a-f]{1,4}|${hexRange})`;
const label = String.raw`(?:[\p{L}\p{N}_]|${alphanumericRange})(?:[\p{L}\p{N}_-]|${alphanumericRange})*(?<![_-])`;

const BRACKETED_HOST_PORT = /^\[(.+)\]:([0-9]+)$/;
const HOST_PORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(`^(?:${ipv4Part}\\.){3}${ipv4Part}$`, "i");
const IPV6 = new RegExp(
  "^(?:" +
    [
      `(?:${ipv6Part}:){7}${ipv6Part}`,
      `(?:${ipv6Part}:){1,6}:`,
      `(?:${ipv6Part}:)(?::${ipv6Part}){1,6}`,
      `(?:${ipv6Part}:){2}(?::${ipv6Part}){1,5}`,
      `(?:${ipv6Part}:){3}(?::${ipv6Part}){1,4}`,
      `(?:${ipv6Part}:){4}(?::${ipv6Part}){1,3}`,
      `(?:${ipv6Part}:){5}(?::${ipv6Part}){1,2}`,
      `(?:${ipv6Part}:){6}(?::${ipv6Part})`,
      `:(?::${ipv6Part}){1,6}`,
      `${ipv6Part}?::`,
      `(?:0:){6}(?:${ipv6Part}\\.){3}${ipv6Part}`,
      `::(?:ffff:)?(?:${ipv6Part}\\.){3}${ipv6Part}`,
      `(?:0:){5}ffff:(?:${ipv6Part}\\.){3}${ipv6Part}`,
    ].join("|") +
    ")$",
  "i",
);
const HOSTNAME = new RegExp(`^${label}(?:\\.${label})*$`, "iu");

export interface HostAddress {
  readonly host: string;
  readonly port?: number;
}

/** Splits `host[:port]`; undefined when the text is no valid address (Ansible then keeps it whole). */
export function parseAddress(text: string): HostAddress | undefined {
  let address = text;
  let port: number | undefined;
  for (const pattern of [BRACKETED_HOST_PORT, HOST_PORT]) {
    const m = pattern.exec(address);
    if (m) {
      address = m[1]!;
      port = Number(m[2]);
    }
  }
  if (![IPV4, IPV6, HOSTNAME].some((re) => re.test(address))) return undefined;
  return port === undefined ? { host: address } : { host: address, port };
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Expands the first `[begin:end(:step)]` of a name, recursively for the ones after it. */
export function expandHostRange(name: string): string[] {
  const open = name.indexOf("[");
  if (open < 0) return [name];
  const close = name.indexOf("]", open);
  if (close < 0) throw new Error(`host range in '${name}' has no closing ']'`);
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(":");
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error("host range must be begin:end or begin:end:step");
  const begin = bounds[0] || "0";
  const end = bounds[1]!;
  if (!end) throw new Error("host range must specify end value");
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!Number.isInteger(step) || step <= 0) throw new Error(`host range step must be a positive integer, got '${bounds[2]}'`);
  let fill = (value: string | number): string => String(value);
  if (begin[0] === "0" && begin.length > 1) {
    if (begin.length !== end.length) throw new Error("host range must specify equal-length begin and end formats");
    fill = (value) => String(value).padStart(begin.length, "0");
  }
  const sequence: (string | number)[] = [];
  const letterBegin = begin.length === 1 ? LETTERS.indexOf(begin) : -1;
  const letterEnd = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (letterBegin >= 0 && letterEnd >= 0) {
    if (letterBegin > letterEnd) throw new Error("host range must have begin <= end");
    for (let i = letterBegin; i <= letterEnd; i += step) sequence.push(LETTERS[i]!);
  } else {
    if (!/^\d+$/.test(begin) || !/^\d+$/.test(end)) throw new Error(`host range '[${bounds.join(":")}]' is neither numeric nor one letter to one letter`);
    for (let i = Number(begin); i <= Number(end); i += step) sequence.push(i);
  }
  return sequence.flatMap((item) => expandHostRange(head + fill(item) + tail));
}

/** Ansible's `_expand_hostpattern`: the host names a pattern stands for and their port, if any. */
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  const address = parseAddress(pattern);
  const name = address?.host ?? pattern;
  const hosts = name.includes("[") ? expandHostRange(name) : [name];
  return address?.port === undefined ? { hosts } : { hosts, port: address.port };
}
