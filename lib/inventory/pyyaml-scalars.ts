/**
 * Plain scalars resolved exactly as Ansible's loader does: PyYAML's `Resolver` regexes
 * (yaml/resolver.py) decide the type, `SafeConstructor` (yaml/constructor.py) builds the value.
 * These differ from the `yaml` package's YAML 1.1 schema: `e5` and `1e3` stay strings, `y`/`n` are
 * strings, `1:30` is 90, `.NaN` is NaN but `-.nan` a string.
 *
 * Each type is a pair of `yaml` tags: one with the resolver's regex for plain scalars, and one
 * without, used for an explicit tag (`!!int 0o17`), which PyYAML builds from any text.
 * Timestamps become the text `ansible-inventory --list` prints for them (Python's `isoformat()`):
 * variables here are JSON-like and have no date type.
 */
import type { ScalarTag } from "yaml";

/** The Python type a scalar became, kept in the node's `format` (only used when stringifying). */
export type PythonScalarType = "bool" | "int" | "float" | "NoneType" | "timestamp" | "str";

/** The value of a plain `=` (PyYAML's `tag:yaml.org,2002:value`): a string as a mapping key, an error elsewhere. */
export const VALUE_KEY = Symbol("tag:yaml.org,2002:value");
/** The value of a plain `<<`: a merge as a mapping key, an error elsewhere. */
export const MERGE_KEY = Symbol("tag:yaml.org,2002:merge");

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const VALUE = /^(?:=)$/;
const MERGE = /^(?:<<)$/;
/** The constructor's own, looser pattern (one-digit month and day are fine without a time). */
const TIMESTAMP_PARTS =
  /^(?<year>[0-9][0-9][0-9][0-9])-(?<month>[0-9][0-9]?)-(?<day>[0-9][0-9]?)(?:(?:[Tt]|[ \t]+)(?<hour>[0-9][0-9]?):(?<minute>[0-9][0-9]):(?<second>[0-9][0-9])(?:\.(?<fraction>[0-9]*))?(?:[ \t]*(?<tz>Z|(?<tzSign>[-+])(?<tzHour>[0-9][0-9]?)(?::(?<tzMinute>[0-9][0-9]))?))?)?$/;

const BOOL_VALUES: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

function constructBool(text: string): boolean {
  const value = BOOL_VALUES[text.toLowerCase()];
  if (value === undefined) throw new Error(`'${text}' is not a boolean (yes, no, true, false, on, off)`);
  return value;
}

/** Python's int() of one base's digits; BigInt keeps precision until the final number. */
function pythonInt(text: string, base: 2 | 8 | 10 | 16): bigint {
  const digits = text.trim();
  const valid = { 2: /^[01]+$/, 8: /^(?:0o)?[0-7]+$/i, 10: /^[0-9]+$/, 16: /^[0-9a-f]+$/i }[base];
  if (!valid.test(digits)) throw new Error(`invalid literal for int() with base ${base}: '${digits}'`);
  const prefix = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base];
  return BigInt(prefix + digits.replace(/^0o/i, ""));
}

/** PyYAML's `construct_yaml_int`, exact. */
export function constructBigInt(text: string): bigint {
  let value = text.replace(/_/g, "");
  const sign = value[0] === "-" ? -1n : 1n;
  if (value[0] === "-" || value[0] === "+") value = value.slice(1);
  let magnitude: bigint;
  if (value === "0") magnitude = 0n;
  else if (value.startsWith("0b")) magnitude = pythonInt(value.slice(2), 2);
  else if (value.startsWith("0x")) magnitude = pythonInt(value.slice(2), 16);
  else if (value[0] === "0") magnitude = pythonInt(value, 8);
  else if (value.includes(":")) {
    magnitude = 0n;
    for (const part of value.split(":")) magnitude = magnitude * 60n + pythonInt(part, 10);
  } else magnitude = pythonInt(value, 10);
  return sign * magnitude;
}

const constructInt = (text: string) => Number(constructBigInt(text));

/** Python's float() of a (lower-cased) text. */
function pythonFloat(text: string): number {
  const trimmed = text.trim();
  if (!/^[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?|inf|infinity|nan)$/.test(trimmed)) {
    throw new Error(`could not convert string to float: '${text}'`);
  }
  const sign = trimmed.startsWith("-") ? -1 : 1;
  const unsigned = trimmed.replace(/^[-+]/, "");
  if (unsigned === "nan") return NaN;
  if (unsigned === "inf" || unsigned === "infinity") return sign * Infinity;
  return sign * Number(unsigned);
}

function constructFloat(text: string): number {
  let value = text.replace(/_/g, "").toLowerCase();
  const sign = value[0] === "-" ? -1 : 1;
  if (value[0] === "-" || value[0] === "+") value = value.slice(1);
  if (value === ".inf") return sign * Infinity;
  if (value === ".nan") return NaN;
  if (value.includes(":")) {
    // Summed from the last part up, in floating point, as PyYAML does (same rounding).
    let total = 0;
    let base = 1;
    for (const part of value.split(":").reverse()) {
      total += pythonFloat(part) * base;
      base *= 60;
    }
    return sign * total;
  }
  return sign * pythonFloat(value);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkRange(name: string, value: number, low: number, high: number): void {
  if (value < low || value > high) throw new Error(`${name} ${value} is out of range ${low}..${high}`);
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** Python's `date(...).isoformat()` or `datetime(...).isoformat()` of the timestamp. */
function constructTimestamp(text: string): string {
  const parts = TIMESTAMP_PARTS.exec(text)?.groups;
  if (!parts) throw new Error(`'${text}' is not a timestamp`);
  const [year, month, day] = [Number(parts["year"]), Number(parts["month"]), Number(parts["day"])];
  checkRange("year", year, 1, 9999);
  checkRange("month", month, 1, 12);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  checkRange("day", day, 1, month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (!parts["hour"]) return date;
  const [hour, minute, second] = [Number(parts["hour"]), Number(parts["minute"]), Number(parts["second"])];
  checkRange("hour", hour, 0, 23);
  checkRange("minute", minute, 0, 59);
  checkRange("second", second, 0, 59);
  const micro = parts["fraction"] ? Number(parts["fraction"].slice(0, 6).padEnd(6, "0")) : 0;
  let iso = `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${micro ? "." + pad(micro, 6) : ""}`;
  if (parts["tzSign"]) {
    const offset = Number(parts["tzHour"]) * 60 + Number(parts["tzMinute"] ?? 0);
    if (offset >= 24 * 60) throw new Error(`time zone offset ${parts["tz"]} must be under 24 hours`);
    iso += `${parts["tzSign"] === "-" && offset > 0 ? "-" : "+"}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
  } else if (parts["tz"]) iso += "+00:00";
  return iso;
}

interface PythonScalar {
  readonly tag: string;
  readonly resolver: RegExp;
  readonly construct: (text: string) => unknown;
  readonly type: PythonScalarType;
}

// PyYAML's resolvers never overlap, so their order here does not matter.
const SCALARS: readonly PythonScalar[] = [
  { tag: "tag:yaml.org,2002:bool", resolver: BOOL, construct: constructBool, type: "bool" },
  { tag: "tag:yaml.org,2002:float", resolver: FLOAT, construct: constructFloat, type: "float" },
  { tag: "tag:yaml.org,2002:int", resolver: INT, construct: constructInt, type: "int" },
  { tag: "tag:yaml.org,2002:null", resolver: NULL, construct: () => null, type: "NoneType" },
  { tag: "tag:yaml.org,2002:timestamp", resolver: TIMESTAMP, construct: constructTimestamp, type: "timestamp" },
  { tag: "tag:yaml.org,2002:value", resolver: VALUE, construct: () => VALUE_KEY, type: "str" },
  { tag: "tag:yaml.org,2002:merge", resolver: MERGE, construct: () => MERGE_KEY, type: "str" },
];

/**
 * The `yaml` tags for PyYAML's scalars. `format` (otherwise only used when writing YAML) carries
 * the Python type, so a mapping key can be told apart (`1` the int from `'1'` the string) and
 * named as Python's JSON would.
 */
export const pyyamlScalarTags: ScalarTag[] = SCALARS.flatMap(({ tag, resolver, construct, type }) => [
  // An explicit tag takes the first tag of its name that has no `test`, so this one comes first.
  { tag, resolve: construct, format: type, identify: () => false },
  { tag, resolve: construct, format: type, default: true, test: resolver, identify: () => false },
]);
