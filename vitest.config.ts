import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Integration tests share one sshd; files run in parallel but stay within 2 cores.
    maxWorkers: 2,
  },
});
