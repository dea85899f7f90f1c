/**
 * Typed role variables. A role declares each variable with its type, default and documentation;
 * before any host is touched every host's value is checked, and a wrong one is reported with the
 * file and line that set it. Values arrive as Ansible inventories write them ("yes", "8080", 420
 * for YAML's 0644) and are converted where that is unambiguous.
 */
import { isIP } from "node:net";

export interface VarSpec<T> {
  /** What the value must be, for messages: "a port number (1-65535)". */
  readonly expected: string;
  readonly default: T;
  readonly doc: string;
  /** Never printed: passwords, tokens. */
  readonly secret: boolean;
  /** The converted value, or undefined when the value does not fit. */
  convert(value: unknown): T | undefined;
}

export type Schema = Readonly<Record<string, VarSpec<unknown>>>;
export type VarsOf<S extends Schema> = { -readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

function spec<T>(expected: string, convert: (value: unknown) => T | undefined, defaultValue: T, doc: string): VarSpec<T> {
  return { expected, convert, default: defaultValue, doc, secret: false };
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined);
const integer = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};

function isCidr(value: string): boolean {
  const [address, prefix, extra] = value.split("/");
  if (!address || prefix === undefined || extra !== undefined || !/^\d+$/.test(prefix)) return false;
  const family = isIP(address);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

export const v = {
  string: (defaultValue: string, doc: string) => spec("a string", text, defaultValue, doc),

  integer: (defaultValue: number, doc: string, range: { min?: number; max?: number } = {}) =>
    spec(
      `an integer${range.min !== undefined || range.max !== undefined ? ` (${range.min ?? "..."}-${range.max ?? "..."})` : ""}`,
      (value) => {
        const n = integer(value);
        return n !== undefined && (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max) ? n : undefined;
      },
      defaultValue,
      doc,
    ),

  port: (defaultValue: number, doc: string) =>
    spec("a port number (1-65535)", (value) => {
      const n = integer(value);
      return n !== undefined && n >= 1 && n <= 65535 ? n : undefined;
    }, defaultValue, doc),

  boolean: (defaultValue: boolean, doc: string) =>
    spec("a boolean (true/false, yes/no)", (value) => {
      if (typeof value === "boolean") return value;
      const word = typeof value === "string" ? value.trim().toLowerCase() : typeof value === "number" ? String(value) : "";
      if (["yes", "true", "on", "1"].includes(word)) return true;
      if (["no", "false", "off", "0"].includes(word)) return false;
      return undefined;
    }, defaultValue, doc),

  path: (defaultValue: string, doc: string) => spec("an absolute path", (value) => (typeof value === "string" && value.startsWith("/") ? value : undefined), defaultValue, doc),

  ip: (defaultValue: string, doc: string) => spec("an IP address", (value) => (typeof value === "string" && isIP(value) ? value : undefined), defaultValue, doc),

  cidr: (defaultValue: string, doc: string) => spec("a CIDR such as 10.254.0.0/16", (value) => (typeof value === "string" && isCidr(value) ? value : undefined), defaultValue, doc),

  oneOf: <const T extends string>(choices: readonly T[], defaultValue: T, doc: string) =>
    spec(`one of ${choices.join(", ")}`, (value) => (choices.includes(value as T) ? (value as T) : undefined), defaultValue, doc),

  list: <T>(item: VarSpec<T>, defaultValue: T[], doc: string) =>
    spec(`a list, each item ${item.expected}`, (value) => {
      // `-e name=a,b` arrives as text: a comma-separated list is taken as the list.
      if (typeof value === "string") value = value.split(",").map((x) => x.trim()).filter(Boolean);
      if (!Array.isArray(value)) return undefined;
      const items = value.map((x) => item.convert(x));
      return items.every((x) => x !== undefined) ? (items as T[]) : undefined;
    }, defaultValue, doc),

  /** A mapping of names to strings or numbers (sysctl values, labels, extra flags). */
  map: (defaultValue: Record<string, string | number>, doc: string) =>
    spec("a mapping of names to values", (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
      const entries = Object.entries(value);
      return entries.every(([, x]) => typeof x === "string" || typeof x === "number") ? (value as Record<string, string | number>) : undefined;
    }, defaultValue, doc),

  /** A mapping of names to lists of strings (a single string is a one-item list): registry mirrors. */
  mapOfLists: (defaultValue: Record<string, string[]>, doc: string) =>
    spec("a mapping of names to lists of strings", (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
      const converted: Record<string, string[]> = {};
      for (const [key, x] of Object.entries(value)) {
        const items = typeof x === "string" ? [x] : Array.isArray(x) && x.every((i) => typeof i === "string") ? (x as string[]) : undefined;
        if (!items) return undefined;
        converted[key] = items;
      }
      return converted;
    }, defaultValue, doc),

  /** A mapping whose keys are from a fixed list and whose values each fit `item` (bundle_sources). */
  mapOf: <const K extends string, T>(keys: readonly K[], item: VarSpec<T>, defaultValue: Partial<Record<K, T>>, doc: string) =>
    spec(`a mapping of ${keys.join(", ")} to ${item.expected}`, (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
      const converted: Partial<Record<K, T>> = {};
      for (const [key, x] of Object.entries(value)) {
        const item_ = item.convert(x);
        if (!keys.includes(key as K) || item_ === undefined) return undefined;
        converted[key as K] = item_;
      }
      return converted;
    }, defaultValue, doc),

  /** Marks a variable secret: its value is masked in all output. */
  secret: <T>(inner: VarSpec<T>): VarSpec<T> => ({ ...inner, secret: true }),
};

export function defineSchema<const S extends Schema>(schema: S): S {
  return schema;
}
