/** The flag table: rows by version range, renamed flags, omitted values, repeated flags, user flags. */
import { describe, expect, it } from "vitest";
import { extraFlagProblem, parseKubeVersion, renderFlags, rowsFor, type FlagTable } from "../../lib/kube/flag-table.js";

interface Vars { plugins: string[]; token: boolean; keys: string[] }
const table: FlagTable<Vars> = [
  { flag: "admission-control", until: "1.10", value: (v) => v.plugins.join(",") },
  { flag: "enable-admission-plugins", since: "1.10", value: (v) => v.plugins.join(",") },
  { flag: "experimental-bootstrap-token-auth", until: "1.8", value: (v) => (v.token ? "true" : undefined) },
  { flag: "enable-bootstrap-token-auth", since: "1.8", value: (v) => (v.token ? "true" : undefined) },
  { flag: "service-account-key-file", value: (v) => v.keys },
];
const vars: Vars = { plugins: ["NodeRestriction", "ServiceAccount"], token: true, keys: ["/a.pem", "/b.pem"] };

describe("flag table", () => {
  it("renders the rows of the version, a renamed flag under its name of that version", () => {
    expect(renderFlags(table, "1.7.11", vars, undefined)).toEqual([
      "--admission-control=NodeRestriction,ServiceAccount",
      "--experimental-bootstrap-token-auth=true",
      "--service-account-key-file=/a.pem",
      "--service-account-key-file=/b.pem",
    ]);
    expect(renderFlags(table, "v1.20.2", vars, undefined)).toEqual([
      "--enable-admission-plugins=NodeRestriction,ServiceAccount",
      "--enable-bootstrap-token-auth=true",
      "--service-account-key-file=/a.pem",
      "--service-account-key-file=/b.pem",
    ]);
  });

  it("until is exclusive, since inclusive; undefined leaves a flag out", () => {
    expect(renderFlags(table, "1.9.11", { ...vars, token: false }, undefined)).toEqual(["--admission-control=NodeRestriction,ServiceAccount", "--service-account-key-file=/a.pem", "--service-account-key-file=/b.pem"]);
    expect(rowsFor(table, "1.10.0").map((r) => r.flag)).toContain("enable-admission-plugins");
  });

  it("overlapping rows for one flag are a table error", () => {
    const bad: FlagTable<Vars> = [{ flag: "x", until: "1.11", value: () => "1" }, { flag: "x", since: "1.10", value: () => "2" }];
    expect(() => rowsFor(bad, "1.10.3")).toThrow(/--x has two rows for version 1.10.3/);
  });

  it("a user's extra flag that the table sets, or that belongs to other versions, is named", () => {
    expect(extraFlagProblem(table, "1.20.2", "enable-admission-plugins")).toMatch(/set by the role/);
    expect(extraFlagProblem(table, "1.20.2", "--admission-control")).toBe("--admission-control is not used with Kubernetes 1.20.2 (only before 1.10)");
    expect(extraFlagProblem(table, "1.20.2", "event-ttl")).toBeUndefined();
  });

  it("versions", () => {
    expect(parseKubeVersion("v1.7.11")).toEqual([1, 7, 11]);
    expect(parseKubeVersion("1.20")).toEqual([1, 20, 0]);
    expect(() => parseKubeVersion("latest")).toThrow(/not a Kubernetes version/);
  });
});
