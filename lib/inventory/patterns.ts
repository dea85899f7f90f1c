/**
 * Host patterns as `ansible -l` reads them: names, groups, globs (`web*`), regexes (`~web\d+`),
 * subscripts (`web[0]`, `web[1:3]`), unions (`a:b`, `a,b`), intersections (`a:&b`) and exclusions
 * (`a:!b`). As in Ansible, unions apply first, then intersections, then exclusions.
 */
import { EasyKubeError } from "../errors.js";
import type { Inventory } from "./inventory.js";

export interface PatternMatch {
  readonly hosts: string[];
  /** Terms that matched nothing; Ansible warns about these and goes on. */
  readonly unmatched: string[];
}

export function splitPattern(pattern: string): string[] {
  if (pattern.includes(",")) return pattern.split(",").map((t) => t.trim()).filter(Boolean);
  // Split on ':' outside [...] so `web[1:3]` stays one term; a bare IPv6 address stays whole.
  if (/^[0-9a-f]*:[0-9a-f:]*:[0-9a-f]*$/i.test(pattern)) return [pattern];
  const terms: string[] = [];
  let depth = 0;
  let term = "";
  for (const c of pattern) {
    if (c === "[") depth++;
    if (c === "]") depth--;
    if (c === ":" && depth === 0) {
      terms.push(term);
      term = "";
    } else term += c;
  }
  terms.push(term);
  return terms.map((t) => t.trim()).filter(Boolean);
}

export function matchPattern(inventory: Inventory, pattern: string): PatternMatch {
  const terms = splitPattern(pattern);
  const unions = terms.filter((t) => !t.startsWith("&") && !t.startsWith("!"));
  const intersections = terms.filter((t) => t.startsWith("&")).map((t) => t.slice(1));
  const exclusions = terms.filter((t) => t.startsWith("!")).map((t) => t.slice(1));
  const unmatched: string[] = [];
  const resolveTerm = (term: string) => {
    const hosts = matchTerm(inventory, term);
    if (hosts.length === 0 && term !== "all") unmatched.push(term);
    return hosts;
  };
  let selected = new Set<string>(unions.length > 0 ? unions.flatMap(resolveTerm) : inventory.hostNames());
  for (const term of intersections) {
    const keep = new Set(resolveTerm(term));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const term of exclusions) for (const host of resolveTerm(term)) selected.delete(host);
  const order = inventory.hostNames();
  return { hosts: order.filter((h) => selected.has(h)), unmatched };
}

/** One term: a group (its hosts), a host, a glob or `~regex` over both, with optional subscript. */
function matchTerm(inventory: Inventory, term: string): string[] {
  const subscript = /^(.+?)\[(-?\d+)(?::(-?\d*))?\]$/.exec(term);
  const base = subscript && !term.startsWith("~") ? subscript[1]! : term;
  const matcher = termMatcher(base);
  const groups = [...inventory.data.groups.keys()].filter(matcher);
  const hosts = new Set<string>();
  for (const group of groups) for (const host of inventory.groupHosts(group)) hosts.add(host);
  if (groups.length === 0 || base.startsWith("~") || /[.?*[]/.test(base)) {
    for (const host of inventory.hostNames()) if (matcher(host)) hosts.add(host);
  }
  const list = inventory.hostNames().filter((h) => hosts.has(h));
  if (!subscript || term.startsWith("~")) return list;
  return applySubscript(list, Number(subscript[2]), subscript[3], term);
}

function applySubscript(list: string[], start: number, end: string | undefined, term: string): string[] {
  const at = (index: number) => (index < 0 ? list.length + index : index);
  if (end === undefined) {
    const host = list[at(start)];
    if (host === undefined) throw new EasyKubeError(`pattern '${term}': index ${start} is out of range (${list.length} hosts)`);
    return [host];
  }
  // Ansible's slices include their end, and an empty end means "to the last host".
  return list.slice(at(start), end === "" ? undefined : at(Number(end)) + 1);
}

function termMatcher(term: string): (name: string) => boolean {
  if (term.startsWith("~")) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch (error) {
      throw new EasyKubeError(`pattern '${term}' is not a valid regular expression: ${(error as Error).message}`);
    }
    return (name) => re.test(name);
  }
  if (!/[*?[]/.test(term)) return (name) => name === term;
  const re = new RegExp(
    "^" +
      term
        .replace(/[.+^${}()|\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")
        .replace(/\[!/g, "[^") +
      "$",
  );
  return (name) => re.test(name);
}
