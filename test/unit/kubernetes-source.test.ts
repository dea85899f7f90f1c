/**
 * Kubernetes from Debian's source package: the deb-src entries derived from the machine's apt
 * sources, the .dsc's checksums, and the build cache's key.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { debSrcEntries, dscChecksums, dscProblems } from "../../lib/bundle/kubernetes-source/debian-source-package.js";
import { buildCacheKey, type BuildKey } from "../../lib/bundle/kubernetes-source/kubernetes-build.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("Kubernetes from Debian's source package", () => {
  it("derives deb-src entries from the machine's deb entries, deb822 and one-line, skipping disabled ones", () => {
    const etc = mkdtempSync(join(tmpdir(), "ek-apt-"));
    mkdirSync(join(etc, "sources.list.d"));
    writeFileSync(join(etc, "sources.list"), "deb http://deb.debian.org/debian bookworm main\n# deb http://old/ x main\ndeb-src http://x/ y main\n");
    writeFileSync(
      join(etc, "sources.list.d", "debian.sources"),
      "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://off/\nSuites: x\nComponents: main\nEnabled: no\n",
    );
    writeFileSync(join(etc, "sources.list.d", "other.sources.disabled"), "Types: deb\nURIs: http://ignored/\n");
    const { deb822, oneLine } = debSrcEntries(etc);
    expect(oneLine).toBe("deb-src http://deb.debian.org/debian bookworm main\n");
    expect(deb822).toBe("Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n");
  });

  it("checks every file a .dsc lists against its sha256", () => {
    const dir = mkdtempSync(join(tmpdir(), "ek-dsc-"));
    writeFileSync(join(dir, "k_1.0.orig.tar.gz"), "upstream");
    writeFileSync(join(dir, "k_1.0-1.debian.tar.xz"), "packaging");
    const dsc = join(dir, "k_1.0-1.dsc");
    writeFileSync(
      dsc,
      `Format: 3.0 (quilt)\nSource: k\nChecksums-Sha256:\n ${sha256("upstream")} 8 k_1.0.orig.tar.gz\n ${sha256("packaging")} 9 k_1.0-1.debian.tar.xz\nFiles:\n 0 8 k_1.0.orig.tar.gz\n`,
    );
    expect(dscChecksums(readFileSync(dsc, "utf8")).map((c) => c.file)).toEqual(["k_1.0.orig.tar.gz", "k_1.0-1.debian.tar.xz"]);
    expect(dscProblems(dsc)).toEqual([]);
    writeFileSync(join(dir, "k_1.0.orig.tar.gz"), "tampered");
    expect(dscProblems(dsc)).toEqual([expect.stringMatching(/^k_1\.0\.orig\.tar\.gz does not match its sha256/)]);
    writeFileSync(dsc, "Format: 3.0 (quilt)\nSource: k\n");
    expect(dscProblems(dsc)).toEqual(["lists no Checksums-Sha256"]);
  });

  it("keys a build by source version, Go version, architecture and recipe: any change is a new build", () => {
    const key: BuildKey = { debianVersion: "1.20.5+really1.20.2-1.1+deb12u1", goVersion: "go1.19.8", arch: "amd64", recipeSha256: "ab".repeat(32) };
    expect(buildCacheKey(key)).toBe("1.20.5+really1.20.2-1.1+deb12u1_go1.19.8_amd64_abababababab");
    expect(buildCacheKey({ ...key })).toBe(buildCacheKey(key));
    const variants = [{ debianVersion: "1.20.5+really1.20.2-1.2" }, { goVersion: "go1.21.0" }, { arch: "arm64" as const }, { recipeSha256: "cd".repeat(32) }];
    const keys = new Set([buildCacheKey(key), ...variants.map((v) => buildCacheKey({ ...key, ...v }))]);
    expect(keys.size).toBe(5);
  });
});
