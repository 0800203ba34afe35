import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Only for fault-guard.test.ts, which runs guard.pool-check.ts under each of vitest's pools
// (`--pool=forks|threads|vmForks|vmThreads`) in a separate vitest process.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['guard.pool-check.ts'],
    testTimeout: 20_000,
  },
});
