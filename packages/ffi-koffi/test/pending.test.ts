import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';
import { seededBytes, temporaryFolder } from './support.js';

/** How many ranges of this file /proc/self/maps lists. */
const mappedRangesOf = (path: string): number =>
  readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(path)).length;

describe.runIf(process.platform === 'linux')('close() while calls run on koffi worker threads', () => {
  let folder: ReturnType<typeof temporaryFolder>;
  beforeEach(() => {
    folder = temporaryFolder();
  });
  afterEach(() => folder.remove());

  it('keeps the range mapped until a pending prefetch() finishes, then unmaps it', async () => {
    const path = join(folder.folder, 'data.bin');
    writeFileSync(path, seededBytes(backend.pageSize * 64, 5));
    const mapping = mapFile(backend, { path });
    const prefetch = mapping.prefetch();
    mapping.close();
    // The worker's completion can only run on a later turn: the call is still pending here.
    expect(mappedRangesOf(path)).toBe(1);
    await prefetch;
    expect(mappedRangesOf(path)).toBe(0);
  });

  it('flushes the ranges of pending syncAsync() calls before taking them away, and those calls resolve', async () => {
    const path = join(folder.folder, 'data.bin');
    const written = seededBytes(backend.pageSize * 2, 6);
    writeFileSync(path, new Uint8Array(written.length));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.set(written);
    const pending = [mapping.syncAsync(), mapping.syncAsync({ offset: backend.pageSize, length: 10 })];
    mapping.close();
    await expect(Promise.all(pending)).resolves.toEqual([undefined, undefined]);
    expect(readFileSync(path).equals(Buffer.from(written))).toBe(true);
  });
});

describe('many calls off the main thread at once', () => {
  it("a thousand concurrent syncAsync() and prefetch() calls all resolve, though koffi refuses more than 256 in flight", async () => {
    using mapping = mapAnonymous(backend, { length: backend.pageSize * 16 });
    const calls = Array.from({ length: 1000 }, (_, index) => (index % 2 === 0 ? mapping.syncAsync() : mapping.prefetch()));
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  });
});
