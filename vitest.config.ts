import { defineConfig } from 'vitest/config';

/**
 * `npm test`: every package's tests, then the short fault suite on its own. The fault suite
 * loads both cores and stops a database; running it after the rest keeps its timing checks
 * and everyone else's timeouts honest. One embedded PostgreSQL serves the whole run.
 */
export default defineConfig({
  test: {
    globalSetup: ['packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/faults/**', '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
