import { defineConfig } from 'vitest/config';

/** `npm run test:faults`: the fault suite in its full form (10 s outage, 60 s of mixed load), one file at a time. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    env: { CITADEL_FAULTS: 'full' },
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['default'],
  },
});
