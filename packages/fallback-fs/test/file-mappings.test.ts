import { closeSync, openSync, readFileSync, readSync, truncateSync, writeSync, constants as fsConstants } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMmapError, mapFile } from '@mmapkit/core';
import { backend } from '../src/index.js';
import { hasIoCounters, ioCounters, runScriptHere, seededBytes, temporaryFolder, writeFile } from './helpers.js';

const pageSize = backend.pageSize;
let directory: ReturnType<typeof temporaryFolder>;

beforeEach(() => {
  directory = temporaryFolder('mmapkit-fallback-fs-');
});
afterEach(() => {
  directory.remove();
});

function fileBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

describe('demand loading', () => {
  it.runIf(hasIoCounters)('mapping a 10 GiB sparse file reads nothing until a view is taken, then only the pages of that view', () => {
    const path = directory.file('sparse.bin');
    const fd = openSync(path, 'w+');
    const tenGibibytes = 10 * 2 ** 30;
    writeSync(fd, Uint8Array.of(42), 0, 1, 6 * 2 ** 30 + 5);
    truncateSync(path, tenGibibytes);
    closeSync(fd);

    const before = ioCounters().readBytes;
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    const afterMap = ioCounters().readBytes;
    expect(mapping.byteLength).toBe(tenGibibytes);
    expect(afterMap - before).toBeLessThan(64 * 1024);

    const view = mapping.view(6 * 2 ** 30, 16);
    expect(view[5]).toBe(42);
    const afterView = ioCounters().readBytes;
    expect(afterView - afterMap).toBeGreaterThanOrEqual(pageSize);
    expect(afterView - afterMap).toBeLessThan(pageSize + 64 * 1024);
    expect(mapping.residency().resident).toBe(1);
  });

  it('a write past 4 GiB reaches the file at the right offset after sync()', () => {
    const path = directory.file('large.bin');
    truncateSync(openAndClose(path), 5 * 2 ** 30);
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.view(4 * 2 ** 30 + 3, 2).set([7, 8]);
    mapping.sync();
    const fd = openSync(path, 'r');
    const read = new Uint8Array(4);
    readSync(fd, read, 0, 4, 4 * 2 ** 30 + 2);
    closeSync(fd);
    expect([...read]).toEqual([0, 7, 8, 0]);
  });

  it('populate: true loads every page when mapping', () => {
    const path = directory.file('populate.bin');
    writeFile(path, seededBytes(5 * pageSize + 10, 1));
    using mapping = mapFile(backend, { path, populate: true });
    expect(mapping.residency()).toMatchObject({ pages: 6, resident: 6 });
  });

  it('advise("willneed") loads the range now and residency reports the pages loaded into this mapping', () => {
    const path = directory.file('willneed.bin');
    writeFile(path, seededBytes(8 * pageSize, 2));
    using mapping = mapFile(backend, { path });
    expect(mapping.residency().resident).toBe(0);
    mapping.advise('willneed', { offset: 2 * pageSize, length: 2 * pageSize });
    expect([...mapping.residency().map]).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('prefetch() reads pages off the main thread and they show the file contents', async () => {
    const path = directory.file('prefetch.bin');
    const contents = seededBytes(40 * pageSize + 123, 3);
    writeFile(path, contents);
    using mapping = mapFile(backend, { path });
    await mapping.prefetch({ offset: pageSize, length: 30 * pageSize });
    expect(mapping.residency().resident).toBe(30);
    expect(mapping.view(pageSize, 30 * pageSize)).toEqual(contents.subarray(pageSize, 31 * pageSize));
    expect(mapping.bytes).toEqual(contents);
  });

  it('a mapping at an unaligned offset shows the file from exactly that byte', () => {
    const path = directory.file('offset.bin');
    const contents = seededBytes(3 * pageSize, 4);
    writeFile(path, contents);
    using mapping = mapFile(backend, { path, offset: pageSize + 17, length: 100 });
    expect(mapping.bytes).toEqual(contents.subarray(pageSize + 17, pageSize + 117));
  });
});

describe('sync()', () => {
  it.runIf(hasIoCounters)('sync writes only the changed bytes: a 1-byte change of a 64 MiB mapping writes 1 byte', () => {
    const path = directory.file('one-byte.bin');
    truncateSync(openAndClose(path), 64 * 2 ** 20);
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[12345] = 1;
    const before = ioCounters().writtenBytes;
    mapping.sync();
    expect(ioCounters().writtenBytes - before).toBe(1);
    expect(fileBytes(path)[12345]).toBe(1);
  });

  it('two processes writing different regions of one file never overwrite each other', async () => {
    const path = directory.file('two-writers.bin');
    writeFile(path, new Uint8Array(4 * pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.fill(1, 0, 100);
    // Adjacent bytes too: the child writes 100..199, right after ours.
    await runScriptHere(
      `import { mapFile } from '@mmapkit/core';
       import { backend } from '@mmapkit/fallback-fs';
       const mapping = mapFile(backend, { path: process.argv[1], protection: 'read-write' });
       mapping.bytes.fill(2, 100, 200);
       mapping.bytes.fill(2, 3 * ${pageSize}, 3 * ${pageSize} + 10);
       mapping.sync();
       mapping.close();`,
      path,
    );
    mapping.sync();
    const result = fileBytes(path);
    expect(result.subarray(0, 100).every((byte) => byte === 1)).toBe(true);
    expect(result.subarray(100, 200).every((byte) => byte === 2)).toBe(true);
    expect(result.subarray(3 * pageSize, 3 * pageSize + 10).every((byte) => byte === 2)).toBe(true);
  });

  it('a range sync writes only changes inside the range; the rest is written by a later sync', () => {
    const path = directory.file('range.bin');
    writeFile(path, new Uint8Array(4 * pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[10] = 1;
    mapping.bytes[3 * pageSize + 10] = 2;
    mapping.sync({ offset: 0, length: pageSize });
    expect([fileBytes(path)[10], fileBytes(path)[3 * pageSize + 10]]).toEqual([1, 0]);
    mapping.sync();
    expect(fileBytes(path)[3 * pageSize + 10]).toBe(2);
  });

  it('changing a byte back to its synced value writes nothing for it', () => {
    const path = directory.file('revert.bin');
    writeFile(path, Uint8Array.of(5, 5, 5));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[1] = 9;
    mapping.bytes[1] = 5;
    writeFile(path, Uint8Array.of(5, 6, 5));
    mapping.sync();
    expect([...fileBytes(path)]).toEqual([5, 6, 5]);
  });

  it('sync({ async: true }) writes the changes; the next sync() makes them durable', () => {
    const path = directory.file('async.bin');
    writeFile(path, new Uint8Array(pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[0] = 3;
    mapping.sync({ async: true });
    expect(fileBytes(path)[0]).toBe(3);
    mapping.sync();
  });

  it('syncAsync() writes the changed bytes and resolves once they are flushed', async () => {
    const path = directory.file('sync-async.bin');
    writeFile(path, new Uint8Array(3 * pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.fill(4, pageSize, pageSize + 8);
    await mapping.syncAsync();
    expect(fileBytes(path).subarray(pageSize, pageSize + 9)).toEqual(Uint8Array.of(4, 4, 4, 4, 4, 4, 4, 4, 0));
  });

  it('close() while syncAsync() is pending is safe: the write completes and the views are detached', async () => {
    const path = directory.file('close-pending.bin');
    writeFile(path, new Uint8Array(2 * pageSize));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    const view = mapping.bytes;
    view[7] = 7;
    const pending = mapping.syncAsync();
    mapping.close();
    expect(view.length).toBe(0);
    await pending;
    expect(fileBytes(path)[7]).toBe(7);
  });

  it('a file truncated by someone else is not extended again by sync(): the changes below the new end are written, then sync() throws ERR_MMAP_TRUNCATED', () => {
    const path = directory.file('truncated.bin');
    writeFile(path, seededBytes(2 * pageSize, 5));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[10] = 1;
    mapping.bytes[pageSize + 10] = 1;
    truncateSync(path, pageSize);
    expect(() => mapping.sync()).toThrow(expect.objectContaining({ name: 'MmapError', code: 'ERR_MMAP_TRUNCATED', path }));
    expect(fileBytes(path).byteLength).toBe(pageSize);
    expect(fileBytes(path)[10]).toBe(1);
  });

  it('an O_APPEND descriptor still gets writes in place, not at the end of the file', () => {
    const path = directory.file('append.bin');
    writeFile(path, new Uint8Array(pageSize));
    const fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_APPEND);
    try {
      using mapping = mapFile(backend, { fd, protection: 'read-write' });
      mapping.bytes[3] = 3;
      mapping.sync();
    } finally {
      closeSync(fd);
    }
    const result = fileBytes(path);
    expect(result.byteLength).toBe(pageSize);
    expect(result[3]).toBe(3);
  });
});

describe('refresh()', () => {
  it("refresh shows another process's synced changes and keeps unsynced local changes", async () => {
    const path = directory.file('refresh.bin');
    writeFile(path, new Uint8Array(2 * pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    const view = mapping.bytes;
    view[0] = 1;
    await runScriptHere(
      `import { openSync, writeSync } from 'node:fs';
       const fd = openSync(process.argv[1], 'r+');
       writeSync(fd, Uint8Array.of(9, 9), 0, 2, 0);
       writeSync(fd, Uint8Array.of(8), 0, 1, ${pageSize + 1});`,
      path,
    );
    expect([view[0], view[1], view[pageSize + 1]]).toEqual([1, 0, 0]);
    mapping.refresh();
    expect([view[0], view[1], view[pageSize + 1]]).toEqual([1, 9, 8]);
    // The kept byte is still a local change, and the refreshed ones are not: sync writes only byte 0.
    mapping.sync();
    expect([...fileBytes(path).subarray(0, 2)]).toEqual([1, 9]);
  });

  it('refresh of a read-only mapping shows the new file contents', () => {
    const path = directory.file('refresh-read.bin');
    writeFile(path, Uint8Array.of(1, 2, 3));
    using mapping = mapFile(backend, { path });
    const view = mapping.bytes;
    writeFile(path, Uint8Array.of(4, 5, 6));
    expect([...view]).toEqual([1, 2, 3]);
    mapping.refresh();
    expect([...view]).toEqual([4, 5, 6]);
  });

  it('refresh after a truncation throws ERR_MMAP_TRUNCATED and bytes past the new end read as zero', () => {
    const path = directory.file('shrunk.bin');
    writeFile(path, seededBytes(2 * pageSize, 6).map((byte) => byte | 1));
    using mapping = mapFile(backend, { path });
    const view = mapping.bytes;
    truncateSync(path, pageSize + 5);
    expect(() => mapping.refresh()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_TRUNCATED' }));
    expect(view[pageSize + 4]).not.toBe(0);
    expect(view.subarray(pageSize + 5).every((byte) => byte === 0)).toBe(true);
    expect(mapping.faults()).toEqual([expect.objectContaining({ type: 'truncated', offset: pageSize + 5 })]);
  });
});

describe('private mappings', () => {
  it('private mappings never reach the file, even after sync()', () => {
    const path = directory.file('private.bin');
    writeFile(path, seededBytes(pageSize, 7));
    using mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
    mapping.bytes.fill(0);
    mapping.sync();
    expect(fileBytes(path)).toEqual(seededBytes(pageSize, 7));
  });

  it('a private read-write mapping of a read-only descriptor works (copy-on-write needs only read access)', () => {
    const path = directory.file('private-readonly.bin');
    writeFile(path, Uint8Array.of(1, 2));
    const fd = openSync(path, 'r');
    try {
      using mapping = mapFile(backend, { fd, protection: 'read-write', sharing: 'private' });
      mapping.bytes[0] = 9;
      expect([...mapping.bytes]).toEqual([9, 2]);
    } finally {
      closeSync(fd);
    }
  });

  it('refresh of a private mapping shows file changes only where it has not written', () => {
    const path = directory.file('private-refresh.bin');
    writeFile(path, Uint8Array.of(1, 1, 1));
    using mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
    mapping.bytes[0] = 5;
    writeFile(path, Uint8Array.of(2, 2, 2));
    mapping.refresh();
    expect([...mapping.bytes]).toEqual([5, 2, 2]);
  });

  it('unsafeAdvise("dontneed") discards a private mapping\'s changes, like the kernel', () => {
    const path = directory.file('private-dontneed.bin');
    writeFile(path, Uint8Array.of(1, 2, 3));
    using mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
    mapping.bytes.fill(0);
    mapping.unsafeAdvise('dontneed');
    expect([...mapping.bytes]).toEqual([1, 2, 3]);
  });

  it('unsafeAdvise("dontneed") keeps a shared mapping\'s unsynced changes', () => {
    const path = directory.file('shared-dontneed.bin');
    writeFile(path, Uint8Array.of(1, 2, 3));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[0] = 7;
    mapping.unsafeAdvise('dontneed');
    expect([...mapping.bytes]).toEqual([7, 2, 3]);
    mapping.sync();
    expect([...fileBytes(path)]).toEqual([7, 2, 3]);
  });
});

describe('protection and descriptors', () => {
  it('a shared read-write mapping of a read-only descriptor fails at map time with EACCES', () => {
    const path = directory.file('readonly-fd.bin');
    writeFile(path, new Uint8Array(10));
    const fd = openSync(path, 'r');
    try {
      expect(() => mapFile(backend, { fd, protection: 'read-write' })).toThrow(
        expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EACCES', syscall: 'mmap' }),
      );
    } finally {
      closeSync(fd);
    }
  });

  it('a write-only descriptor cannot be mapped at all (EACCES)', () => {
    const path = directory.file('writeonly-fd.bin');
    writeFile(path, new Uint8Array(10));
    const fd = openSync(path, 'w');
    writeSync(fd, new Uint8Array(10));
    try {
      for (const protection of ['read', 'read-write'] as const) {
        let caught: unknown;
        try {
          mapFile(backend, { fd, protection });
        } catch (error) {
          caught = error;
        }
        expect(isMmapError(caught) && caught.errno === 'EACCES' && caught.syscall === 'mmap').toBe(true);
      }
    } finally {
      closeSync(fd);
    }
  });

  it('protect("read-write") of a shared mapping of a read-only file fails with EACCES', () => {
    const path = directory.file('protect-readonly.bin');
    writeFile(path, new Uint8Array(10));
    using mapping = mapFile(backend, { path });
    expect(() => mapping.protect('read-write')).toThrow(expect.objectContaining({ errno: 'EACCES', syscall: 'mprotect' }));
  });

  it('sync never writes pages protected read-only: protection is bookkeeping, not enforced', () => {
    const path = directory.file('protect.bin');
    writeFile(path, new Uint8Array(2 * pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.protect('read', { offset: pageSize, length: pageSize });
    mapping.bytes[0] = 1;
    mapping.bytes[pageSize] = 1; // Not enforced: the write lands in memory...
    expect(mapping.bytes[pageSize]).toBe(1);
    mapping.sync();
    expect([fileBytes(path)[0], fileBytes(path)[pageSize]]).toEqual([1, 0]); // ...but never in the file.
    mapping.protect('read-write');
    mapping.sync();
    expect(fileBytes(path)[pageSize]).toBe(1);
  });

  it('changes are written by the first sync() at which their page is read-write, even changes made while it was read-only', () => {
    const path = directory.file('protect-upgrade.bin');
    writeFile(path, new Uint8Array(10));
    const fd = openSync(path, 'r+');
    try {
      using mapping = mapFile(backend, { fd });
      mapping.bytes[2] = 2;
      mapping.sync();
      expect(fileBytes(path)[2]).toBe(0);
      mapping.protect('read-write');
      mapping.bytes[3] = 3;
      mapping.sync();
      expect([...fileBytes(path).subarray(2, 4)]).toEqual([2, 3]);
    } finally {
      closeSync(fd);
    }
  });
});

describe('close()', () => {
  it('views are detached after close, and close writes back what was not synced', () => {
    const path = directory.file('close.bin');
    writeFile(path, new Uint8Array(pageSize));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    const view = mapping.view(10, 20);
    const dataView = mapping.dataView();
    view[0] = 1;
    mapping.close();
    expect(view.length).toBe(0);
    expect(view.buffer.byteLength).toBe(0);
    expect(() => dataView.getUint8(0)).toThrow(TypeError);
    expect(view[0]).toBeUndefined();
    expect(fileBytes(path)[10]).toBe(1);
  });

  it('the descriptor mmapkit opened is closed at close(); a descriptor the user passed is left open', () => {
    const path = directory.file('fd.bin');
    writeFile(path, new Uint8Array(10));
    const fd = openSync(path, 'r');
    const mapping = mapFile(backend, { fd });
    mapping.close();
    expect(() => readSync(fd, new Uint8Array(1), 0, 1, 0)).not.toThrow();
    closeSync(fd);
  });
});

function openAndClose(path: string): string {
  closeSync(openSync(path, 'w'));
  return path;
}
