import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/cases.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // `import.meta.url` (where the child script lives) in the CommonJS build of `./cases`.
    shims: true,
  },
  {
    // The script child processes run: ESM only (it uses top-level await).
    entry: ['src/child.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
]);
