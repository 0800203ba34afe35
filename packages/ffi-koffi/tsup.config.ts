import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // createRequire(import.meta.url) loads koffi in a try/catch; the CJS build needs the shim.
  shims: true,
});
