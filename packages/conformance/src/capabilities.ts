import { readFileSync } from 'node:fs';
import {
  advices,
  isMmapError,
  mapAnonymous,
  mapFile,
  protections,
  uncheckedProtections,
  type Backend,
  type Mapping,
} from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

/** Bytes this process has locked (`VmLck`), or `undefined` where `/proc/self/status` does not exist. */
function lockedMemory(): number | undefined {
  try {
    const kibibytes = /^VmLck:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1];
    return kibibytes === undefined ? undefined : Number(kibibytes) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * Huge pages an `mmap(MAP_HUGETLB)` could get now: the free reserved ones (`HugePages_Free`)
 * plus those the kernel may add on demand (`vm.nr_overcommit_hugepages`); `undefined` where
 * /proc does not say.
 */
function availableHugePages(): number | undefined {
  try {
    const free = /^HugePages_Free:\s+(\d+)$/m.exec(readFileSync('/proc/meminfo', 'latin1'))?.[1];
    const overcommit = readFileSync('/proc/sys/vm/nr_overcommit_hugepages', 'latin1');
    return free === undefined ? undefined : Number(free) + Number(overcommit);
  } catch {
    return undefined;
  }
}

function expectUnsupported(action: () => unknown): void {
  expect(action).toThrow(expect.objectContaining({ name: 'MmapError', code: 'ERR_MMAP_UNSUPPORTED' }));
}

export function describeCapabilities(backend: Backend): void {
  const capabilities = backend.capabilities;

  describe('capabilities', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;
    const contents = seededBytes(pageSize * 8, 7);

    it('are declared completely and consistently', () => {
      expect(backend.name).toMatch(/^[a-z0-9-]+$/);
      expect(typeof backend.moduleSpecifier).toBe('string');
      expect(Number.isSafeInteger(backend.pageSize) && backend.pageSize >= 4096).toBe(true);
      expect(backend.allocationGranularity % backend.pageSize).toBe(0);
      expect(capabilities.largestView).toBeGreaterThanOrEqual(2 ** 31 - 1);
      expect(['detached', 'zeros', 'copy']).toContain(capabilities.staleViews);
      expect(capabilities.detachOnClose).toBe(capabilities.staleViews === 'detached');
      expect(capabilities.protections).toEqual(expect.arrayContaining(['read']));
      if (capabilities.crossProcessAtomics) expect(capabilities.coherentVisibility && capabilities.zeroCopy).toBe(true);
      expect(Object.isFrozen(capabilities)).toBe(true);
    });

    it('every protection the backend lists can be applied and undone', () => {
      using mapping = mapAnonymous(backend, { length: pageSize * 4 });
      mapping.bytes[pageSize] = 42;
      for (const protection of protections) {
        if (!capabilities.protections.includes(protection)) {
          expectUnsupported(() => mapping.protect(protection));
          continue;
        }
        mapping.protect(protection, { offset: pageSize, length: pageSize });
        mapping.protect('read-write');
        expect(mapping.bytes[pageSize]).toBe(42);
      }
      for (const protection of uncheckedProtections) {
        if (!capabilities.protections.includes(protection)) expectUnsupported(() => mapping.unsafeProtect(protection));
        else mapping.unsafeProtect(protection, { offset: 0, length: pageSize });
      }
      mapping.protect('read-write');
      expect(mapping.protection).toBe('read-write');
    });

    it('every advice the backend lists is accepted; every other throws ERR_MMAP_UNSUPPORTED', () => {
      using mapping = mapAnonymous(backend, { length: pageSize * 16 });
      mapping.bytes.fill(1);
      for (const advice of advices) {
        if (capabilities.advice.includes(advice)) {
          try {
            mapping.advise(advice, { offset: pageSize, length: pageSize * 4 });
          } catch (error) {
            // Transparent huge pages may be compiled out of a kernel: then the kernel says EINVAL.
            const kernelOption = (advice === 'hugepage' || advice === 'nohugepage') && isMmapError(error) && error.errno === 'EINVAL';
            if (!kernelOption) throw error;
          }
        } else {
          expectUnsupported(() => mapping.advise(advice));
        }
      }
      expect(mapping.bytes.every((byte) => byte === 1)).toBe(true);
    });

    it("unsafeAdvise('dontneed') on a private file mapping discards local changes and shows the file again", () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
      if (!capabilities.advice.includes('dontneed')) {
        expectUnsupported(() => mapping.unsafeAdvise('dontneed'));
        return;
      }
      mapping.bytes.fill(0);
      mapping.unsafeAdvise('dontneed');
      expect(Buffer.from(mapping.bytes).equals(Buffer.from(contents))).toBe(true);
    });

    it('residency() reports touched pages of anonymous memory as resident', () => {
      using mapping = mapAnonymous(backend, { length: pageSize * 8 });
      if (!capabilities.residency) {
        expectUnsupported(() => mapping.residency());
        return;
      }
      for (let page = 0; page < 8; page += 2) mapping.bytes[page * pageSize] = 1;
      const residency = mapping.residency();
      expect(residency.pages).toBe(8);
      expect(residency.map.length).toBe(8);
      for (let page = 0; page < 8; page += 2) expect(residency.map[page]).toBe(1);
      expect(residency.resident).toBeGreaterThanOrEqual(4);
      const part = mapping.residency({ offset: pageSize * 2 + 1, length: 10 });
      expect(part.pages).toBe(1);
      expect(part.resident).toBe(1);
    });

    it('lock() and unlock() pin pages (VmLck in /proc/self/status on Linux), or throw ERR_MMAP_UNSUPPORTED', () => {
      const lockedPages = 16;
      using mapping = mapAnonymous(backend, { length: pageSize * lockedPages });
      if (!capabilities.lock) {
        expectUnsupported(() => mapping.lock());
        expectUnsupported(() => mapping.unlock());
        expectUnsupported(() => mapAnonymous(backend, { length: pageSize, lock: true }));
        return;
      }
      const lockedBytes = (): number | undefined => lockedMemory();
      const before = lockedBytes();
      mapping.lock();
      const whileLocked = lockedBytes();
      mapping.bytes[0] = 3;
      mapping.unlock();
      const afterUnlock = lockedBytes();
      expect(mapping.bytes[0]).toBe(3);
      using locked = mapAnonymous(backend, { length: pageSize * lockedPages, lock: true });
      const withLockOption = lockedBytes();
      expect(locked.bytes[0]).toBe(0);
      if (before === undefined) return; // No /proc/self/status (not Linux): the calls succeeding is what can be checked.
      // mlock faults every page in and pins it: VmLck grows by the whole range, and unlock gives it back.
      expect(whileLocked! - before).toBe(pageSize * lockedPages);
      expect(afterUnlock).toBe(before);
      expect(withLockOption! - before).toBe(pageSize * lockedPages);
      // Every locked page is resident.
      if (capabilities.residency) expect(locked.residency().resident).toBe(lockedPages);
    });

    it('prefetch() resolves and the range then reads the file contents', async () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path });
      await mapping.prefetch({ offset: pageSize, length: pageSize * 3 });
      expect(Buffer.from(mapping.view(pageSize, pageSize * 3)).equals(Buffer.from(contents.subarray(pageSize, pageSize * 4)))).toBe(true);
      await mapping.prefetch();
    });

    it('the populate, noReserve and hugePages options work or throw ERR_MMAP_UNSUPPORTED', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const attempt = (options: { populate?: boolean; noReserve?: boolean }): Mapping => mapFile(backend, { path, ...options });
      if (capabilities.populate) {
        using populated = attempt({ populate: true });
        expect(populated.bytes[5]).toBe(contents[5]);
      } else expectUnsupported(() => attempt({ populate: true }));
      if (capabilities.noReserve) {
        using unreserved = mapAnonymous(backend, { length: pageSize, noReserve: true });
        expect(unreserved.bytes[0]).toBe(0);
      } else expectUnsupported(() => mapAnonymous(backend, { length: pageSize, noReserve: true }));
      if (capabilities.hugePages) {
        // Huge pages need pages reserved by the administrator (vm.nr_hugepages): without them
        // the kernel refuses with ENOMEM, and the message says how to reserve some.
        const available = availableHugePages();
        if (available === 0) {
          expect(() => mapAnonymous(backend, { length: 2 * 1024 * 1024, hugePages: true })).toThrow(
            expect.objectContaining({ name: 'MmapError', code: 'ERR_MMAP_SYSTEM', errno: 'ENOMEM', syscall: 'mmap', message: expect.stringContaining('nr_hugepages') }),
          );
        } else {
          using huge = mapAnonymous(backend, { length: 2 * 1024 * 1024, hugePages: true });
          huge.bytes[0] = 1;
          expect(huge.bytes[0]).toBe(1);
        }
      } else expectUnsupported(() => mapAnonymous(backend, { length: pageSize, hugePages: true }));
    });

    it('sync({ invalidate: true }) works or throws ERR_MMAP_UNSUPPORTED', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.bytes[1] = (contents[1]! + 1) & 0xff;
      if (!capabilities.syncInvalidate) {
        expectUnsupported(() => mapping.sync({ invalidate: true }));
        mapping.sync();
      } else mapping.sync({ invalidate: true });
      expect(readFileSync(path)[1]).toBe((contents[1]! + 1) & 0xff);
    });
  });
}
