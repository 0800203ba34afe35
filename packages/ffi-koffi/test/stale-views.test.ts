import { closeSync, ftruncateSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';
import { runFixture, seededBytes, temporaryFolder } from './support.js';

const canDetach = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

describe('views handed out before close()', () => {
  let folder: ReturnType<typeof temporaryFolder>;
  beforeEach(() => {
    folder = temporaryFolder();
  });
  afterEach(() => folder.remove());

  it('capabilities say what a stale view shows on this runtime: detached where ArrayBuffer#transfer exists, else zeros', () => {
    expect(backend.capabilities.detachOnClose).toBe(canDetach);
    expect(backend.capabilities.staleViews).toBe(canDetach ? 'detached' : 'zeros');
  });

  it.runIf(!canDetach)('read as zeros after close(), keep their length, and take writes that never reach the file (in a child process)', async () => {
    const contents = seededBytes(backend.pageSize * 3 + 123, 1);
    contents[0] = 0x42;
    const path = join(folder.folder, 'data.bin');
    writeFileSync(path, contents);
    const result = await runFixture<{ beforeClose: number; lengths: number[]; readsZero: boolean; readsBackWrites: boolean }>('stale-views.mjs', [path]);
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.report).toEqual({
      beforeClose: 0x42,
      lengths: [contents.length, 100, 16, 8],
      readsZero: true,
      readsBackWrites: true,
      staleViews: 'zeros',
    });
    expect(readFileSync(path).equals(Buffer.from(contents))).toBe(true);
  });

  it.runIf(!canDetach)('every window of a mapping larger than 4 GiB reads zeros after close() and keeps writes away from the file', async () => {
    const path = join(folder.folder, 'sparse.bin');
    const size = 5 * 2 ** 30;
    const marker = seededBytes(4096, 2);
    const markerAt = 4.5 * 2 ** 30;
    const fd = openSync(path, 'w+');
    try {
      ftruncateSync(fd, size);
      writeSync(fd, marker, 0, marker.length, markerAt);
    } finally {
      closeSync(fd);
    }
    const result = await runFixture<{ before: number[]; readsZero: boolean; readsBackWrites: boolean }>('stale-large.mjs', [path]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.report).toEqual({ before: [0, 0, 0, marker[0], 0], readsZero: true, readsBackWrites: true });
    const check = Buffer.alloc(4096);
    const readFd = openSync(path, 'r');
    try {
      readSync(readFd, check, 0, 4096, markerAt);
      expect(check.equals(Buffer.from(marker))).toBe(true);
      readSync(readFd, check, 0, 4096, 0);
      expect(check.every((byte) => byte === 0)).toBe(true);
    } finally {
      closeSync(readFd);
    }
  }, 30_000);

  it.runIf(!canDetach && process.platform === 'linux')(
    'the zero pages behind a closed mapping stay mapped while a stale view is reachable and are unmapped once it is collected',
    async () => {
      const path = join(folder.folder, 'data.bin');
      writeFileSync(path, seededBytes(backend.pageSize * 2, 3));
      const result = await runFixture<Record<string, unknown>>('placeholder-lifetime.mjs', [path], { flags: ['--expose-gc'] });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.report).toEqual({ open: 'file', closedWhileViewKept: 'anonymous', viewStillWorks: true, afterViewsCollected: 'unmapped' });
    },
  );

  it.runIf(canDetach)('are detached by close(), and memory user code moved out with transfer() shows zeros and never reaches the file', async () => {
    const contents = seededBytes(backend.pageSize * 2, 7);
    contents[0] = 0x42;
    const path = join(folder.folder, 'data.bin');
    writeFileSync(path, contents);
    const result = await runFixture<Record<string, unknown>>('moved-buffer.mjs', [path]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.report).toEqual({ movedBefore: 0x42, otherLength: 0, movedReadsZero: true, movedKeepsWrites: true });
    expect(readFileSync(path).equals(Buffer.from(contents))).toBe(true);
  });
});
