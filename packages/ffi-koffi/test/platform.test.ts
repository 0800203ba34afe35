import { constants as fsConstants } from 'node:fs';
import { advices, uncheckedAdvices } from '@mmapkit/core';
import { describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';
import { darwin } from '../src/platform/darwin.js';
import { currentPlatform } from '../src/platform/index.js';
import { linux } from '../src/platform/linux.js';

describe('per-OS constant tables', () => {
  it('the Linux table is marked verified and the macOS table unverified until run there', () => {
    expect(linux.verified).toBe(true);
    expect(darwin.verified).toBe(false);
  });

  it.runIf(process.platform === 'linux')("the Linux O_* values agree with Node's own fs.constants", () => {
    expect(linux.O_RDONLY).toBe(fsConstants.O_RDONLY);
    expect(linux.O_RDWR).toBe(fsConstants.O_RDWR);
    expect(linux.O_CREAT).toBe(fsConstants.O_CREAT);
    expect(linux.O_EXCL).toBe(fsConstants.O_EXCL);
  });

  it('the table in use is the one for this OS', () => {
    expect(currentPlatform().platform).toBe(process.platform);
  });

  it('capabilities list exactly the advice of the table that the kernel accepts, in core order', () => {
    const table = currentPlatform();
    const listed = backend.capabilities.advice;
    const inTable = [...advices, ...uncheckedAdvices].filter((name) => table.advice[name] !== undefined);
    expect(listed.every((name) => inTable.includes(name))).toBe(true);
    // Advice that does not depend on the kernel version is always listed.
    expect(inTable.filter((name) => !table.kernelDependentAdvice.includes(name)).every((name) => listed.includes(name))).toBe(true);
    expect([...listed]).toEqual(inTable.filter((name) => listed.includes(name)));
  });

  it('options the table lacks are declared unsupported, not silently ignored', () => {
    expect(backend.capabilities.populate).toBe(currentPlatform().MAP_POPULATE !== undefined);
    expect(backend.capabilities.noReserve).toBe(currentPlatform().MAP_NORESERVE !== undefined);
    expect(backend.capabilities.hugePages).toBe(currentPlatform().MAP_HUGETLB !== undefined);
    expect(darwin.MAP_POPULATE).toBeUndefined();
    expect(darwin.MFD_CLOEXEC).toBeUndefined();
    expect(darwin.advice.dontneed).toBeUndefined();
  });

  it('one view is at most 4 GiB, the largest koffi.view() is known to survive, and the backend says so', () => {
    expect(backend.capabilities.largestView).toBeLessThanOrEqual(2 ** 32);
    expect(backend.capabilities.largestView).toBeGreaterThan(0);
    expect(backend.name).toBe('ffi-koffi');
    expect(backend.moduleSpecifier).toBe('@mmapkit/ffi-koffi');
    expect(backend.allocationGranularity).toBe(backend.pageSize);
  });
});
