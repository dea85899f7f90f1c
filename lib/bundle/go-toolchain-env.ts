/**
 * The environment every Go build of the bundle runs in: the named toolchain first on PATH and no
 * other (GOTOOLCHAIN=local: no download of another Go; GOROOT dropped, so the toolchain finds its
 * own), the build cache, the target architecture. The module builds add their module settings.
 */
import { dirname } from "node:path";

export function goToolchainEnv(go: string, args: { goCache: string; arch: string }): NodeJS.ProcessEnv {
  const { GOROOT: _goroot, GOTOOLCHAIN: _toolchain, ...inherited } = process.env;
  return {
    ...inherited,
    PATH: `${dirname(go) === "." ? "" : `${dirname(go)}:`}${process.env["PATH"] ?? "/usr/bin:/bin"}`,
    GOTOOLCHAIN: "local",
    GOCACHE: args.goCache,
    GOARCH: args.arch,
  };
}
