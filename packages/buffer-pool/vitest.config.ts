import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: '@mmapkit/buffer-pool',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
