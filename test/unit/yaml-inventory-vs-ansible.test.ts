/**
 * Differential test: seeded random YAML inventories with group_vars, full of scalars YAML readers
 * disagree on (as host names, values, keys of nested mappings, merges), read by easy-kube and by
 * `ansible-inventory --list`; the outputs must be equal. Several generated cases share one
 * ansible-inventory run (each costs about a second). Host and group names YAML reads as something
 * other than a string must be refused by both.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inventoryList } from "../../lib/inventory/ansible-view.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { parsePythonJson, pyyamlReadScalars } from "../helpers/pyyaml.js";
import { TRICKY_SCALARS } from "../helpers/tricky-scalars.js";

// Only the YAML plugin, so a file Ansible's YAML reader refuses is not read as INI instead.
const env = { ...process.env, ANSIBLE_INVENTORY_ENABLED: "yaml", ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "false", ANSIBLE_INVENTORY_UNPARSED_WARNING: "false" };

function ansibleList(sources: string[]): Record<string, unknown> {
  const args = sources.flatMap((source) => ["-i", source]);
  return parsePythonJson(execFileSync("ansible-inventory", [...args, "--list"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as Record<string, unknown>;
}

/** mulberry32: a small seeded generator, so a failing case can be generated again. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Host names PyYAML reads as strings, though other YAML readers read some as numbers or booleans.
const STRING_HOSTS = ["e1", "e2", "e5", "E3", "1e3", "1E3", "1.0e3", "y", "Y", "n", "N", "NaN", "nan", "inf", "Infinity", "0x", "0b2", "08", "09",
  "0o17", "2001-1-1", "2001-12-14x", "1.2.3", "10.0.0.1", "onion", "TrUe", "nULL", "t", "f", ".5e3", "1.e3", "web01"];
const NON_STRING_HOSTS = ["1", "1.5", "yes", "Off", "~", "2001-12-14", "0x10", "1:30", ".nan", "1_000", "-1", "0755"];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

interface Scalars {
  readonly values: readonly string[];
  /** Keys of nested mappings: no dates, which Ansible cannot print as JSON keys (it fails). */
  readonly keys: readonly string[];
}

interface Generated {
  readonly hostsYml: string;
  readonly groupVars: Record<string, string>;
}

/** One inventory of `groups` groups, named by `prefix`, with tricky host names and values. */
function generateInventory(random: () => number, { values, keys }: Scalars, prefix: string, groups: number): Generated {
  const lines = ["all:", "  vars:", `    ${prefix}_all: ${pick(random, values)}`, "  children:"];
  const groupVars: Record<string, string> = {};
  const mapping = (indent: string) => {
    const out: string[] = [];
    for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) out.push(`${indent}? ${pick(random, keys)}`, `${indent}: ${pick(random, values)}`);
    return out;
  };
  for (let g = 0; g < groups; g++) {
    const group = `${prefix}_g${g}`;
    lines.push(`    ${group}:`, "      hosts:");
    for (let h = 0, n = 1 + Math.floor(random() * 4); h < n; h++) {
      lines.push(`        ${pick(random, STRING_HOSTS)}:`);
      for (let v = 0, count = Math.floor(random() * 3); v < count; v++) lines.push(`          ${prefix}_h${g}_${v}: ${pick(random, values)}`);
      if (random() < 0.3) lines.push(`          ${prefix}_map${g}:`, ...mapping("            "));
    }
    lines.push("      vars:", `        ${prefix}_gv${g}: ${pick(random, values)}`);
    groupVars[group] = [
      `${prefix}_file${g}: ${pick(random, values)}`,
      `${prefix}_list${g}:`,
      `  - ${pick(random, values)}`,
      `  - ${pick(random, values)}`,
      `${prefix}_base${g}: &base${g}`,
      ...mapping("  "),
      `${prefix}_merged${g}:`,
      `  <<: *base${g}`,
      ...mapping("  "),
      "",
    ].join("\n");
  }
  return { hostsYml: lines.join("\n") + "\n", groupVars };
}

function writeInventory(dir: string, generated: Generated): string {
  mkdirSync(join(dir, "group_vars"), { recursive: true });
  writeFileSync(join(dir, "hosts.yml"), generated.hostsYml);
  for (const [group, text] of Object.entries(generated.groupVars)) writeFileSync(join(dir, "group_vars", `${group}.yml`), text);
  return dir;
}

describe("generated YAML inventories read as ansible-inventory reads them", () => {
  const python = pyyamlReadScalars(TRICKY_SCALARS);
  // Values PyYAML accepts; the ones it refuses would only make Ansible refuse the whole file.
  const readable = TRICKY_SCALARS.filter((_, index) => !("error" in python[index]!));
  const scalars: Scalars = {
    values: readable,
    keys: TRICKY_SCALARS.filter((_, index) => {
      const reading = python[index]!;
      return !("error" in reading) && !["date", "datetime"].includes(reading.key.type);
    }),
  };
  const root = mkdtempSync(join(tmpdir(), "ek-yaml-diff-"));
  it("the generator's host names are strings to PyYAML, and the refused ones are not", () => {
    expect(pyyamlReadScalars(STRING_HOSTS).map((reading) => ("error" in reading ? "error" : reading.value.type))).toEqual(STRING_HOSTS.map(() => "str"));
    expect(pyyamlReadScalars(NON_STRING_HOSTS).map((reading) => ("error" in reading ? "error" : reading.value.type))).not.toContain("str");
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 4 inventories of 6 groups`, () => {
      const random = seededRandom(seed);
      // One ansible-inventory run reads all four: their groups and variables have their own prefix.
      const dirs = [0, 1, 2, 3].map((i) => writeInventory(join(root, `seed${seed}-${i}`), generateInventory(random, scalars, `s${seed}i${i}`, 6)));
      expect(inventoryList(loadInventory(dirs))).toEqual(ansibleList(dirs));
    });
  }

  it("host and group names that are not strings are refused by both, naming file and line", () => {
    const files = NON_STRING_HOSTS.flatMap((name, index) => {
      const host = join(root, `bad-host-${index}.yml`);
      writeFileSync(host, `bad_host_${index}:\n  hosts:\n    ${name}:\n    ok_${index}:\n`);
      const group = join(root, `bad-group-${index}.yml`);
      writeFileSync(group, `all:\n  children:\n    ${name}:\n      hosts:\n        okg_${index}:\n`);
      return [host, group];
    });
    const good = join(root, "good.yml");
    writeFileSync(good, "all:\n  hosts:\n    fine:\n");
    const listed = JSON.stringify(ansibleList([...files, good]));
    for (const [index, name] of NON_STRING_HOSTS.entries()) {
      expect(listed, `Ansible refuses host ${name}`).not.toContain(`"ok_${index}"`);
      expect(listed, `Ansible refuses group ${name}`).not.toContain(`"okg_${index}"`);
    }
    expect(listed).toContain('"fine"');
    for (const file of files) expect(() => loadInventory([file]), file).toThrow(new RegExp(`^${file}:3: (host|group) .* not a name`));
  });
});
