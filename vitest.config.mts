import { defineConfig } from 'vitest/config';

// One project per package: each package's tests live beside it in `test/`.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/docs'],
  },
});
