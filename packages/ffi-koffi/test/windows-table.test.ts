import { describe, expect, it } from 'vitest';
import { windowsCallError } from '../src/errno.js';
import { WindowsSharedMemory } from '../src/index.js';
import { win32, windowsErrors } from '../src/platform/win32.js';
import { pageProtection } from '../src/win32-mapping.js';

// The Windows code runs under Wine in .ci/windows.sh; these are the parts that are plain
// data and can be checked on any OS.
describe('the Windows table (checked on every OS; run under Wine by .ci/windows.sh)', () => {
  it('is marked unverified: it has run under Wine 8, not on Windows', () => {
    expect(win32.verified).toBe(false);
  });

  it('reports GetLastError() codes with the errno the same failure has on Linux', () => {
    const cases: Array<[number, string]> = [
      [2, 'ENOENT'],
      [3, 'ENOENT'],
      [5, 'EACCES'],
      [6, 'EBADF'],
      [8, 'ENOMEM'],
      [87, 'EINVAL'],
      [183, 'EEXIST'],
      [1132, 'EINVAL'],
      [1224, 'EBUSY'],
      [1455, 'ENOMEM'],
    ];
    for (const [code, errno] of cases) {
      const error = windowsCallError('MapViewOfFile', code, 'C:\\data.bin');
      expect(error).toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno, syscall: 'MapViewOfFile', path: 'C:\\data.bin' });
      expect(error.message).toContain(`(${code})`);
    }
  });

  it('reports a code missing from the table as UNKNOWN, with the number in the message', () => {
    const error = windowsCallError('VirtualLock', 31337);
    expect(error).toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno: 'UNKNOWN' });
    expect(error.message).toContain('Windows error 31337');
  });

  it('every errno in the table is a POSIX name or UNKNOWN', () => {
    for (const [, errno] of windowsErrors.values()) expect(errno).toMatch(/^(E[A-Z0-9]+|UNKNOWN)$/);
  });

  it('writable private pages are copy-on-write (PAGE_WRITECOPY), shared ones PAGE_READWRITE', () => {
    expect(pageProtection('read-write', 'private')).toBe(win32.PAGE_WRITECOPY);
    expect(pageProtection('read-write', 'shared')).toBe(win32.PAGE_READWRITE);
    expect(pageProtection('read', 'private')).toBe(win32.PAGE_READONLY);
    expect(pageProtection('none', 'shared')).toBe(win32.PAGE_NOACCESS);
    expect(() => pageProtection('read-exec', 'shared')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
  });

  it.runIf(process.platform !== 'win32')('WindowsSharedMemory says it is for Windows elsewhere', () => {
    expect(() => WindowsSharedMemory.create(4096)).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    expect(() => WindowsSharedMemory.open('/x')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
  });
});
