import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Local digests remembered between runs (lib/ops/digest-cache.ts) go to a file of the tests' own,
    // not the user's ~/.cache.
    env: { EASYKUBE_DIGEST_CACHE: join(tmpdir(), `easy-kube-test-digests-${process.pid}.json`) },
    testTimeout: 60_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], globalSetup: ["test/integration/global-setup.ts"] },
      },
      {
        extends: true,
        // One lab for the whole suite; its files share the machines, so they run one after another.
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], globalSetup: ["test/e2e/global-setup.ts"], fileParallelism: false },
      },
    ],
  },
});
