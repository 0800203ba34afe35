import { describe, expect, it } from 'vitest';
import { closed, failureHint, isMmapError, outOfRange, unavailable, unsupported, viewTooLarge } from '../src/index.js';

describe('named error constructors', () => {
  it('each constructor gives its code and one phrasing, with the path where there is one', () => {
    expect(unsupported('fallback-fs', 'lock()')).toMatchObject({ code: 'ERR_MMAP_UNSUPPORTED', message: 'The fallback-fs backend does not support lock().' });
    expect(unavailable('ffi-koffi', 'no koffi', new Error('x'))).toMatchObject({ code: 'ERR_MMAP_BACKEND_UNAVAILABLE', message: 'The ffi-koffi backend is unavailable here: no koffi' });
    expect(closed('mapping', 'sync()', '/tmp/a')).toMatchObject({ code: 'ERR_MMAP_CLOSED', path: '/tmp/a', message: "Cannot call sync() on a closed mapping of '/tmp/a'." });
    expect(closed('mapping', 'sync()').message).toBe('Cannot call sync() on a closed mapping.');
    expect(outOfRange('options.offset', 'the file (10 bytes)', 20, 'map less')).toMatchObject({
      code: 'ERR_MMAP_OUT_OF_RANGE',
      message: 'options.offset (20) is past the end of the file (10 bytes); map less.',
    });
    expect(viewTooLarge(10, 5).code).toBe('ERR_MMAP_VIEW_TOO_LARGE');
    expect(isMmapError(unsupported('a', 'b'))).toBe(true);
  });

  it('failure hints name the limit behind a failure, the same for every backend', () => {
    expect(failureHint('mlock', 'ENOMEM')).toMatch(/RLIMIT_MEMLOCK/);
    expect(failureHint('VirtualLock', 'EPERM')).toMatch(/RLIMIT_MEMLOCK/);
    expect(failureHint('mmap', 'ENOMEM', { hugePages: true })).toMatch(/nr_hugepages/);
    expect(failureHint('mmap', 'EINVAL', { hugePages: true, fd: 3 })).toMatch(/hugetlbfs/);
    expect(failureHint('mmap', 'ENOMEM')).toMatch(/max_map_count/);
    expect(failureHint('mmap', 'EACCES', { sharing: 'shared', protection: 'read-write' })).toMatch(/opened for reading and writing/);
    expect(failureHint('mmap', 'EACCES', { sharing: 'private', protection: 'read-write' })).toBe('');
    expect(failureHint('msync', 'EIO')).toBe('');
  });
});
