/**
 * Tests that check the programs install-deps builds (their help, their own reading of a config, a
 * live apiserver) skip on a machine without them; `.ci/run` sets EASYKUBE_REQUIRE_BUILDS=1 after
 * install-deps, so there a missing build fails the run instead of passing it with less coverage.
 */
export function missingBuild(present: boolean, what: string): boolean {
  if (!present && process.env["EASYKUBE_REQUIRE_BUILDS"]) throw new Error(`${what} is missing, and EASYKUBE_REQUIRE_BUILDS is set: scripts/install-deps.sh builds it`);
  return !present;
}
