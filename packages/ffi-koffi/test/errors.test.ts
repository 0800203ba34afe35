import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';
import { callError, errnoName } from '../src/errno.js';
import { loadKoffi } from '../src/koffi.js';
import { CLibrary } from '../src/libc.js';
import { currentPlatform } from '../src/platform/index.js';
import { temporaryFolder } from './support.js';

describe('errors from the C library', () => {
  let folder: ReturnType<typeof temporaryFolder>;
  beforeEach(() => {
    folder = temporaryFolder();
  });
  afterEach(() => folder.remove());

  it('errno numbers get the running OS symbolic names', () => {
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(22)).toBe('EINVAL');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(99999)).toBe('E99999');
    expect(callError('msync', 12, '/some/file')).toMatchObject({
      name: 'MmapError',
      code: 'ERR_MMAP_SYSTEM',
      errno: 'ENOMEM',
      syscall: 'msync',
      path: '/some/file',
    });
  });

  it("making a read-only file's shared mapping writable fails with EACCES from mprotect", () => {
    const path = join(folder.folder, 'data.bin');
    writeFileSync(path, new Uint8Array(backend.pageSize));
    using mapping = mapFile(backend, { path });
    expect(() => mapping.protect('read-write')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EACCES', syscall: 'mprotect' }));
    expect(mapping.bytes[0]).toBe(0);
  });

  it('advice the kernel refuses for this kind of memory fails with EINVAL from madvise', () => {
    using mapping = mapAnonymous(backend, { length: backend.pageSize });
    // MADV_REMOVE needs shared memory; this is private.
    expect(() => mapping.unsafeAdvise('remove')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EINVAL', syscall: 'madvise' }));
  });

  it('a failing mmap reports its errno and path', () => {
    const path = join(folder.folder, 'data.bin');
    writeFileSync(path, new Uint8Array(backend.pageSize));
    // Huge pages are not reserved on this machine (vm.nr_hugepages = 0): mmap gives ENOMEM...
    // ...for anonymous memory; for a regular file MAP_HUGETLB is EINVAL.
    expect(() => mapFile(backend, { path, hugePages: true })).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EINVAL', syscall: 'mmap', path }),
    );
  });

  it('a prefetch() of pages that cannot be read falls back to read-ahead advice and resolves', async () => {
    using mapping = mapAnonymous(backend, { length: backend.pageSize * 4 });
    mapping.protect('none');
    await expect(mapping.prefetch()).resolves.toBeUndefined();
  });

  it('the EBUSY of msync(MS_INVALIDATE) on locked pages is reported, and syncAsync() works once unlocked', async () => {
    using mapping = mapAnonymous(backend, { length: backend.pageSize * 2 });
    mapping.lock();
    expect(() => mapping.sync({ invalidate: true })).toThrow(expect.objectContaining({ errno: 'EBUSY', syscall: 'msync' }));
    mapping.unlock();
    await expect(mapping.syncAsync()).resolves.toBeUndefined();
  });

  it('calls on koffi worker threads report the errno of that thread, not of the main thread', async () => {
    const platform = currentPlatform();
    const libc = new CLibrary(loadKoffi(), platform);
    const pageSize = backend.pageSize;
    const address = libc.mmap(null, pageSize, platform.PROT_READ, platform.MAP_PRIVATE | platform.MAP_ANONYMOUS, -1, 0);
    libc.munmap(address, pageSize);
    const msync = libc.msyncAsync(address, pageSize, platform.MS_SYNC, '/where');
    // Another failure on the main thread meanwhile must not leak into the worker's result.
    expect(() => libc.madvise(address + 1n, pageSize, 0)).toThrow(expect.objectContaining({ errno: 'EINVAL' }));
    await expect(msync).rejects.toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOMEM', syscall: 'msync', path: '/where' });
    await expect(libc.madviseAsync(address + 1n, pageSize, 0)).rejects.toMatchObject({ errno: 'EINVAL', syscall: 'madvise' });
  });
});
