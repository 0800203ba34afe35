import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: '@mmapkit/streams',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
