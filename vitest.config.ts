import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit` (npm test) needs no cluster: unit tests, the site builds from the committed
 * reports, the verdict on them. `e2e` (npm run test:e2e) brings sandboxes up: kwok, real pods, kind,
 * the version matrix, the faults, and the site built from fresh runs. `.ci/run` runs both.
 */
export const E2E = [
  'test/e2e-*.test.ts',
  'test/cluster-kwok.test.ts',
  'test/cluster-pods.test.ts',
  'test/cluster-pods-metallb.test.ts',
  'test/cluster-kind.test.ts',
  'test/verify-matrix.test.ts',
  'test/site-verification.test.ts',
  'test/browser.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Hooks that bring a sandbox up allow 60 minutes (a cold Kubernetes build) on their own.
    hookTimeout: 600_000,
    // Closing after the run: a worker that does not exit is stopped after 10 s.
    teardownTimeout: 10_000,
    // The watchdog prints what is running after 5 quiet minutes and ends a run that passes
    // 80 minutes (VDOCS_TEST_QUIET_MINUTES, VDOCS_TEST_LIMIT_MINUTES): no run waits forever.
    reporters: ['default', './test/helpers/watchdog.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
