import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    reporters: ["default", "./tests/summary-reporter.ts"],
    // Kernel and notebook tests start real kernels: seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two cores: more workers only fight over them.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
