/** What the native backend does with files, anonymous memory and /dev/zero, in this process. */
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { advices, mapAnonymous, mapFile, uncheckedAdvices, type Advice, type UncheckedAdvice } from '@mmapkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, capabilities } from '../src/index.js';
import { seededBytes, temporaryFolder } from './helpers.js';

let folder: string;
let remove: () => void;
beforeAll(() => {
  ({ folder, remove } = temporaryFolder());
});
afterAll(() => remove());

function fileWith(name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

describe('native-napi mappings', () => {
  it('declares its capabilities honestly', () => {
    expect(backend.name).toBe('native-napi');
    expect(backend.moduleSpecifier).toBe('@mmapkit/native-napi');
    expect(backend.capabilities).toBe(capabilities);
    expect([...capabilities.advice].sort()).toEqual([...advices, ...uncheckedAdvices].sort());
    expect(capabilities.protections).toEqual(['none', 'read', 'read-write', 'read-exec', 'read-write-exec']);
    expect(capabilities.staleViews).toBe('detached');
    expect(capabilities.faultGuard).toBe(true);
    expect(() => backend.probe()).not.toThrow();
  });

  it('reads a file through the mapping at any offset, including unaligned ones', () => {
    const content = seededBytes(3 * 4096 + 123, 1);
    const path = fileWith('read.bin', content);
    using mapping = mapFile(backend, { path, offset: 5000 });
    expect(mapping.byteLength).toBe(content.length - 5000);
    expect(mapping.bytes).toEqual(content.subarray(5000));
    expect(mapping.view(10, 20)).toEqual(content.subarray(5010, 5030));
  });

  it('writes through a shared mapping reach the file after sync(), in every sync mode', () => {
    const path = fileWith('shared.bin', new Uint8Array(8192));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.set([1, 2, 3], 4096);
    mapping.sync();
    mapping.sync({ async: true, offset: 4096, length: 3 });
    mapping.sync({ invalidate: true });
    mapping.sync({ async: true, invalidate: true, offset: 1, length: 5000 });
    expect([...readFileSync(path).subarray(4096, 4099)]).toEqual([1, 2, 3]);
    mapping.close();
  });

  it('writes through a private mapping are never written to the file', () => {
    const path = fileWith('private.bin', new Uint8Array(4096).fill(5));
    const mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
    mapping.bytes.fill(9);
    mapping.sync();
    expect(mapping.bytes[0]).toBe(9);
    mapping.close();
    expect(readFileSync(path)[0]).toBe(5);
  });

  it('close() detaches every view handed out before (length 0), and is idempotent', () => {
    const mapping = mapAnonymous(backend, { length: 3 * 4096 });
    const whole = mapping.bytes;
    const part = mapping.view(4097, 10);
    const data = mapping.dataView(0, 8);
    whole[0] = 1;
    mapping.close();
    mapping.close();
    expect(whole.length).toBe(0);
    expect(part.length).toBe(0);
    expect(data.buffer.byteLength).toBe(0);
    expect(whole[0]).toBeUndefined();
  });

  it('maps /dev/zero shared (a MAP_SHARED mapping: rw-s in /proc/self/maps) as zero-filled writable memory', () => {
    const sharedZeroMappings = (): number => readFileSync('/proc/self/maps', 'latin1').split('\n').filter((line) => / rw-s .* \/dev\/zero/.test(line)).length;
    const before = sharedZeroMappings();
    using mapping = mapFile(backend, { path: '/dev/zero', length: 8192, protection: 'read-write', sharing: 'shared' });
    expect(mapping.sharing).toBe('shared');
    expect(sharedZeroMappings()).toBe(before + 1);
    expect(mapping.bytes.every((byte) => byte === 0)).toBe(true);
    mapping.bytes[8191] = 1;
    expect(mapping.bytes[8191]).toBe(1);
  });

  it('anonymous memory is zero-filled, shared or private, with populate and noReserve', () => {
    for (const options of [{ sharing: 'private' as const }, { sharing: 'shared' as const }, { populate: true }, { noReserve: true }]) {
      using mapping = mapAnonymous(backend, { length: 1 << 20, ...options });
      expect(mapping.bytes.every((byte) => byte === 0)).toBe(true);
      mapping.bytes[12345] = 7;
      expect(mapping.bytes[12345]).toBe(7);
    }
    using populated = mapAnonymous(backend, { length: 1 << 20, populate: true });
    expect(populated.residency().resident).toBe(256);
  });

  it('hugePages fails with a clear ERR_MMAP_SYSTEM where no huge pages are reserved (or works where they are)', () => {
    const reserved = Number(readFileSync('/proc/sys/vm/nr_hugepages', 'utf8'));
    if (reserved > 0) {
      using mapping = mapAnonymous(backend, { length: 4096, hugePages: true });
      expect(mapping.bytes.length).toBe(4096);
      return;
    }
    expect(() => mapAnonymous(backend, { length: 4096, hugePages: true })).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', syscall: 'mmap', errno: 'ENOMEM', message: expect.stringContaining('nr_hugepages') }),
    );
  });

  it('accepts every advice it declares, on file and anonymous mappings', () => {
    const path = fileWith('advice.bin', seededBytes(16384, 2));
    using file = mapFile(backend, { path });
    using anonymous = mapAnonymous(backend, { length: 16384 });
    for (const advice of advices) {
      // MADV_POPULATE_WRITE needs a writable mapping: the kernel answers EINVAL (below).
      if (advice !== 'populate-write') file.advise(advice as Advice);
      anonymous.advise(advice as Advice);
    }
    anonymous.bytes.fill(3);
    anonymous.unsafeAdvise('dontneed');
    expect(anonymous.bytes[0]).toBe(0);
    anonymous.bytes.fill(4);
    anonymous.unsafeAdvise('free' as UncheckedAdvice);
    file.unsafeAdvise('dontneed');
    expect(file.bytes).toEqual(new Uint8Array(readFileSync(path)));
  });

  it("unsafeAdvise('remove') punches a hole in shared memory: the bytes read as zeros", () => {
    using mapping = mapAnonymous(backend, { length: 8192, sharing: 'shared' });
    mapping.bytes.fill(6);
    mapping.unsafeAdvise('remove', { offset: 4096 });
    expect(mapping.bytes[0]).toBe(6);
    expect(mapping.bytes[4096]).toBe(0);
  });

  it('advice the kernel rejects for a mapping is reported with errno, syscall and path', () => {
    const path = fileWith('remove.bin', new Uint8Array(4096));
    using mapping = mapFile(backend, { path, sharing: 'private' });
    expect(() => mapping.advise('populate-write')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', syscall: 'madvise', errno: 'EINVAL', path }));
    expect(() => mapping.unsafeAdvise('remove')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', syscall: 'madvise', errno: 'EACCES', path }));
  });

  it('residency() reports which pages are resident, after prefetch() all of them', async () => {
    using mapping = mapAnonymous(backend, { length: 16 * 4096 });
    mapping.bytes[5 * 4096] = 1;
    const before = mapping.residency();
    expect(before.pages).toBe(16);
    expect(before.map[5]).toBe(1);
    expect(before.map[6]).toBe(0);
    await mapping.prefetch();
    expect(mapping.residency().resident).toBe(16);
  });

  it('lock() and unlock() pin pages (within RLIMIT_MEMLOCK), also through the lock option', () => {
    using mapping = mapAnonymous(backend, { length: 64 * 1024, lock: true });
    mapping.unlock();
    mapping.lock({ offset: 4096, length: 4096 });
    mapping.unlock({ offset: 4096, length: 4096 });
  });

  it('protect() changes page protection; unsafeProtect() adds execute', () => {
    using mapping = mapAnonymous(backend, { length: 8192 });
    mapping.bytes[0] = 1;
    mapping.protect('read');
    expect(mapping.protection).toBe('read');
    expect(mapping.bytes[0]).toBe(1);
    mapping.protect('read-write', { offset: 0, length: 4096 });
    mapping.bytes[1] = 2;
    mapping.unsafeProtect('read-exec');
    mapping.unsafeProtect('read-write-exec');
    mapping.protect('none');
    mapping.protect('read-write');
    expect(mapping.bytes[1]).toBe(2);
  });

  it('protecting a read-only file mapping read-write fails with EACCES from mprotect', () => {
    const path = fileWith('readonly.bin', new Uint8Array(4096));
    using mapping = mapFile(backend, { path });
    expect(() => mapping.protect('read-write')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', syscall: 'mprotect', errno: 'EACCES', path }));
  });

  it('a shared read-write mapping of a read-only descriptor fails with EACCES from mmap', () => {
    const path = fileWith('descriptor.bin', new Uint8Array(4096));
    const fd = openSync(path, 'r');
    try {
      expect(() => mapFile(backend, { fd, protection: 'read-write' })).toThrow(
        expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', syscall: 'mmap', errno: 'EACCES' }),
      );
    } finally {
      closeSync(fd);
    }
  });

  it('syncAsync() flushes a range off the main thread', async () => {
    const path = fileWith('async.bin', new Uint8Array(3 * 4096));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.fill(8, 4096);
    await mapping.syncAsync({ offset: 4096 });
    await mapping.syncAsync();
    expect(readFileSync(path)[4096]).toBe(8);
  });

  it('a mapping larger than one view is served through windows, never two at one start', () => {
    // A tiny largestView forces windows on a small mapping.
    const small = { ...backend, capabilities: { ...capabilities, largestView: 8192 } };
    const content = seededBytes(10 * 4096, 3);
    const path = fileWith('windows.bin', content);
    using mapping = mapFile(small, { path });
    expect(() => mapping.bytes).toThrow(expect.objectContaining({ code: 'ERR_MMAP_VIEW_TOO_LARGE' }));
    const first = mapping.view(0, 8192);
    const again = mapping.view(100, 10);
    expect(again.buffer).toBe(first.buffer);
    expect(mapping.view(5 * 4096 + 7, 8000)).toEqual(content.subarray(5 * 4096 + 7, 5 * 4096 + 8007));
    expect(mapping.view(10 * 4096 - 8192, 8192)).toEqual(content.subarray(10 * 4096 - 8192));
  });
});
