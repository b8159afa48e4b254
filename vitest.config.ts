import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Vitest's default leaves one core to its own process (one worker on a 2-core machine), but many
    // test files spend their time waiting on QEMU, gcc, yosys or chromium, so one worker per core
    // keeps both cores busy (docs/benchmarks.md, "Test suite"). Two firmware builds at once on two
    // cores take minutes each, hence the generous default timeouts.
    maxWorkers: Math.max(1, availableParallelism()),
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
