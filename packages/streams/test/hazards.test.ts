import { once } from 'node:events';
import { afterAll, describe, expect, test } from 'vitest';
import { map } from 'mmapkit';
import { fixtureReport } from '@mmapkit/conformance/cases';
import { createReadStream } from '../src/index.js';
import { backendNames, fileWith, mappingsOf, runFixture, seededBytes, smallWindow, temporaryFolder } from './support.js';

const { folder, remove } = temporaryFolder('mmapkit-streams-hazards-');
afterAll(remove);

/** Backends whose windows are real mappings, visible in /proc/self/maps (fallback-fs reads into plain buffers). */
const mappingBackends = backendNames.filter((name) => name !== 'fallback-fs');

function guarded(backend: string): boolean {
  using probe = map(fileWith(folder, `probe-${backend}`, new Uint8Array(1)), { backend: backend as never });
  return probe.backend.capabilities.faultGuard;
}

interface HeldReport {
  windows: number;
  peakMappings: number;
  whileHeld: number[];
  collectedWhileHeld: number;
  heldIntact: boolean;
  afterRelease: number[];
  collectedAfterRelease: number;
}

describe.each(backendNames)('hazards on %s', (backend) => {
  test('a chunk held across 100 windows and garbage collection still reads the file; every other window is collected and unmapped', async () => {
    const path = fileWith(folder, `held-${backend}`, seededBytes(100 * smallWindow, 23));
    const report = fixtureReport<HeldReport>(await runFixture('held-chunk.mjs', [backend, path, String(smallWindow)], { flags: ['--expose-gc'] }));
    expect(report.windows).toBe(100);
    expect(report.heldIntact).toBe(true);
    expect(report.collectedWhileHeld).toBe(99);
    expect(report.collectedAfterRelease).toBe(100);
    if (backend !== 'fallback-fs') {
      // Windows handed out stay mapped until collected; then only the held one (offset 0) is left, then none.
      expect(report.peakMappings).toBeGreaterThan(1);
      expect(report.whileHeld).toEqual([0]);
      expect(report.afterRelease).toEqual([]);
    }
  });

  test('a file truncated by another process while streaming: the stream errors with ERR_MMAP_TRUNCATED and the process lives', async () => {
    const path = fileWith(folder, `truncated-${backend}`, seededBytes(8 * smallWindow, 29));
    const run = await runFixture('truncate-while-streaming.mjs', [backend, path, String(2 * smallWindow), 'no-touch']);
    expect(run.signal).toBeNull();
    expect(fixtureReport(run)).toMatchObject({ error: 'ERR_MMAP_TRUNCATED' });
  });

  test('destroy() mid-stream unmaps every window (copy: true hands out no views)', async () => {
    const path = fileWith(folder, `destroy-${backend}`, seededBytes(10 * smallWindow, 31));
    const stream = createReadStream(path, { windowSize: smallWindow, chunkSize: 1024, copy: true, backend });
    await once(stream, 'readable');
    expect(stream.read(1024)).toHaveLength(1024);
    if (backend !== 'fallback-fs') expect(mappingsOf(path)).toBe(1);
    stream.destroy();
    await once(stream, 'close');
    expect(mappingsOf(path)).toBe(0);
  });

  test('destroy() mid-stream leaves a held view chunk readable', async () => {
    const bytes = seededBytes(10 * smallWindow, 33);
    const path = fileWith(folder, `destroy-held-${backend}`, bytes);
    const stream = createReadStream(path, { windowSize: smallWindow, chunkSize: 1024, backend });
    await once(stream, 'readable');
    const held = stream.read(1024) as Buffer;
    stream.destroy();
    await once(stream, 'close');
    expect(held.equals(Buffer.from(bytes.subarray(0, 1024)))).toBe(true);
    expect(mappingsOf(path)).toBeLessThanOrEqual(1);
  });
});

describe.each(mappingBackends.filter(guarded))('fault guard on %s', (backend) => {
  test('touching the truncated pages of a held chunk is repaired by the guard and reported as ERR_MMAP_TRUNCATED', async () => {
    const path = fileWith(folder, `touched-${backend}`, seededBytes(8 * smallWindow, 37));
    const run = await runFixture('truncate-while-streaming.mjs', [backend, path, String(2 * smallWindow), 'touch']);
    expect(run.signal).toBeNull();
    expect(fixtureReport(run)).toMatchObject({ error: 'ERR_MMAP_TRUNCATED' });
  });
});
