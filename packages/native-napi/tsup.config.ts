import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url locates build/Release/ from the CommonJS build too.
  shims: true,
  // Both entries share one chunk (in CommonJS too), so there is one backend and one
  // fault-guard state whichever entry loads first.
  splitting: true,
});
