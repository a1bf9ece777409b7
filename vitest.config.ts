import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Hooks that bring a sandbox up allow 60 minutes (a cold Kubernetes build) on their own.
    hookTimeout: 600_000,
    // Closing after the run: a worker that does not exit is stopped after 10 s.
    teardownTimeout: 10_000,
    // The watchdog prints what is running after 5 quiet minutes and ends a run that passes
    // 80 minutes (VDOCS_TEST_QUIET_MINUTES, VDOCS_TEST_LIMIT_MINUTES): no run waits forever.
    reporters: ['default', './test/helpers/watchdog.ts'],
  },
});
