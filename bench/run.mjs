// Runs every benchmark in this folder, one process each, in a fixed order.
// Each prints its own ratios against a baseline measured in the same run.
// Usage: node bench/run.mjs [name...]   (e.g. `node bench/run.mjs native koffi`)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(folder)
  .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs')
  .filter((name) => wanted.length === 0 || wanted.some((prefix) => name.startsWith(prefix)))
  .sort();
let failures = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(folder, script)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failures++;
    console.log(`bench/${script} failed (exit ${result.status}, signal ${result.signal})`);
  }
}
process.exitCode = failures === 0 ? 0 : 1;
