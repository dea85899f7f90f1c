/**
 * Versions are data: a component's command line is a table of rows, each a flag with the versions
 * it is rendered for and the value it takes from the role's variables. A renamed flag is two rows
 * with disjoint ranges (`--admission-control` until 1.10, `--enable-admission-plugins` from 1.10),
 * so a new Kubernetes version is a table change, checked against that version's `--help`.
 */
import { EasyKubeError } from "../errors.js";

/** A flag's value: text, several values (the flag is repeated), or undefined to leave it out. */
export type FlagValue = string | readonly string[] | undefined;

export interface FlagRow<V, C = undefined> {
  /** The flag without its dashes: `etcd-servers`. */
  readonly flag: string;
  /** First version the row applies to ("1.10"); none: every version. */
  readonly since?: string;
  /** First version the row no longer applies to (the flag was renamed or removed there). */
  readonly until?: string;
  readonly value: (vars: V, ctx: C) => FlagValue;
}

export type FlagTable<V, C = undefined> = readonly FlagRow<V, C>[];

/** "v1.7.11" or "1.20.2" as numbers; a version that is not major.minor[.patch] is an error. */
export function parseKubeVersion(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(version.trim());
  if (!match) throw new EasyKubeError(`'${version}' is not a Kubernetes version such as 1.20.2`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [parseKubeVersion(a), parseKubeVersion(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

export function rowAppliesTo(row: { since?: string; until?: string }, version: string): boolean {
  return (!row.since || compareVersions(version, row.since) >= 0) && (!row.until || compareVersions(version, row.until) < 0);
}

/** The rows for `version`, in table order; a flag valid twice for one version is a table error. */
export function rowsFor<V, C>(table: FlagTable<V, C>, version: string): FlagRow<V, C>[] {
  const rows = table.filter((row) => rowAppliesTo(row, version));
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.flag)) throw new EasyKubeError(`flag table: --${row.flag} has two rows for version ${version}; their since/until ranges must not overlap`);
    seen.add(row.flag);
  }
  return rows;
}

/** `--flag=value` for every row of `version` with a value, in table order. */
export function renderFlags<V, C>(table: FlagTable<V, C>, version: string, vars: V, ctx: C): string[] {
  return rowsFor(table, version).flatMap((row) => {
    const value = row.value(vars, ctx);
    if (value === undefined) return [];
    return (typeof value === "string" ? [value] : value).map((v) => `--${row.flag}=${v}`);
  });
}

/**
 * One word of a systemd ExecStart line, read back by systemd as the same argument: `%` (a
 * specifier, as in an eviction threshold `nodefs.available<10%`) and `$` (a variable) doubled, and a
 * value with white space, quotes, backslashes or control characters double-quoted with C escapes
 * (a newline can never end the line and start another directive).
 */
export function systemdWord(word: string): string {
  const literal = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (!/[\s"'\\\x00-\x1f\x7f]/.test(literal)) return literal;
  const escaped = literal.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `"${escaped}"`;
}

/** A systemd ExecStart value: the program, then one flag per line, each as one word. */
export function execStartLines(program: string, flags: readonly string[]): string {
  return [program, ...flags].map(systemdWord).join(" \\\n  ");
}

/** The value an extra-flags mapping gives a flag, whether its key was written with dashes or without. */
export function extraFlagValue(extra: Readonly<Record<string, string | number>>, flag: string): string | undefined {
  const entry = Object.entries(extra).find(([name]) => name.replace(/^-+/, "") === flag);
  return entry === undefined ? undefined : String(entry[1]);
}

/**
 * Why a flag the user adds by hand (an extra_flags variable) cannot be used with `version`: the
 * table renders it already (set its variable instead), or the table knows it only for other
 * versions (renamed or removed; the row valid now, if any, is named). Undefined when it is fine.
 */
export function extraFlagProblem<V, C>(table: FlagTable<V, C>, version: string, flag: string): string | undefined {
  const name = flag.replace(/^-+/, "");
  const rows = table.filter((row) => row.flag === name);
  if (rows.length === 0) return undefined;
  if (rows.some((row) => rowAppliesTo(row, version))) return `--${name} is set by the role; set its variable instead of an extra flag`;
  const ranges = rows.map((row) => `${row.since ? `from ${row.since}` : ""}${row.since && row.until ? " " : ""}${row.until ? `before ${row.until}` : ""}`).join(", ");
  return `--${name} is not used with Kubernetes ${version} (only ${ranges})`;
}
