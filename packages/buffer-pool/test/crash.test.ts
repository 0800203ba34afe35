import { copyFileSync, readFileSync } from 'node:fs';
import { seededRandom } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectPage } from './support/pages.mjs';
import { checksummedFileAt, full, poolBackends, runFixture, scratch } from './support/fixtures.js';

const folder = scratch();
afterAll(() => folder.remove());

const trials = full ? 200 : 6;
const pageSize = 4096;
const pages = 512;
const original = checksummedFileAt(folder.file('original.bin'), pages, pageSize);

describe.each(poolBackends)('SIGKILL in the middle of flush() (%s, child processes)', (backend) => {
  it(`after each of ${trials} kills every page on disk is whole and either the last flushed version or the next one`, async () => {
    const random = seededRandom(backend.length);
    let midFlush = 0;
    for (let trial = 0; trial < trials; trial++) {
      const path = folder.file(`crash-${backend}.bin`);
      copyFileSync(original, path);
      const delay = 30 + Math.floor(random() * 100);
      const run = await runFixture('crash-flush.mjs', [path, backend, String(delay)]);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      const flushed = [...run.stdout.matchAll(/flushed (\d+)/g)].map((match) => Number(match[1]));
      const last = flushed.at(-1) ?? 0;
      // Generation g writes version 1 + g % 2; generation 0 is the file as created (version 0).
      const versionOf = (generation: number): number => (generation === 0 ? 0 : 1 + (generation % 2));
      const allowed = new Set([versionOf(last), versionOf(last + 1)]);
      const bytes = readFileSync(path);
      const seen = new Set<number>();
      for (let page = 0; page < pages; page++) {
        const found = inspectPage(bytes.subarray(page * pageSize, (page + 1) * pageSize));
        expect(found.valid && found.page === page, `trial ${trial}: page ${page} is torn`).toBe(true);
        expect(allowed.has(found.version), `trial ${trial}: page ${page} has version ${found.version} after generation ${last}`).toBe(true);
        seen.add(found.version);
      }
      if (seen.size === 2) midFlush++;
    }
    // How many kills landed inside a flush (old and new pages side by side): printed, not asserted (timing).
    console.log(`${backend}: ${midFlush} of ${trials} kills left a file half old, half new`);
  }, full ? 900_000 : 60_000);
});
