/** A malformed inventory fails with the file, the line and what was expected, never a stack trace. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../lib/errors.js";
import { loadInventory } from "../../lib/inventory/load.js";

function inventoryWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ek-inv-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function errorOf(files: Record<string, string>, source = "hosts"): InputError {
  const dir = inventoryWith(files);
  try {
    loadInventory([join(dir, source)]);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected the inventory to be rejected");
}

describe("inventory errors name file and line", () => {
  it.each([
    ["[etcd]\nnode1\n[etcd:bogus]\n", 3, /unknown type 'bogus'/],
    ["[etcd]\nnode1 broken\n", 2, /expected key=value after the host name, got 'broken'/],
    ["[etcd:vars]\nno_equals_here\n[etcd]\nn1\n", 2, /expected key=value/],
    ["[k8s:children]\nmasters\n", 2, /includes group 'masters', which is never declared/],
    ["[orphan:vars]\na=1\n", 1, /never declared/],
    ["[bad group]\n", 1, /invalid section/],
    ["[etcd]\nn[01:3]\n", 2, /equal-length/],
    ['[etcd]\nn1 a="open\n', 2, /closing quotation/],
    ["[a:children]\nb\n[b:children]\na\n", 4, /recursive dependency loop/],
  ])("%j", (text, line, message) => {
    const error = errorOf({ hosts: text });
    expect(error.where).toMatch(new RegExp(`hosts:${line}$`));
    expect(error.problem).toMatch(message);
  });

  it("names the YAML file and line of a syntax error in group_vars", () => {
    const error = errorOf({ hosts: "[etcd]\nn1\n", "group_vars/etcd.yml": "ok: 1\nbad: [unclosed\n" });
    expect(error.where).toMatch(/group_vars\/etcd\.yml:\d+$/);
    expect(error.problem).toMatch(/invalid YAML/);
  }, 10_000);

  it("rejects a group_vars file that is not a mapping", () => {
    const dir = inventoryWith({ hosts: "[etcd]\nn1\n", "group_vars/etcd.yml": "- a\n- b\n" });
    expect(() => loadInventory([join(dir, "hosts")]).hostVars("n1")).toThrow(/etcd\.yml: expected a mapping/);
  });

  it("rejects an unknown key in a YAML inventory group instead of silently skipping hosts", () => {
    const error = errorOf({ "hosts.yml": "all:\n  host:\n    n1:\n" }, "hosts.yml");
    expect(error.problem).toMatch(/key 'host': only hosts, children and vars/);
  });

  it("says when the inventory path does not exist", () => {
    expect(() => loadInventory(["/nonexistent/inventory"])).toThrow(/inventory not found/);
  });
});
