import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mapAnonymous, mapFile, pageSize, type FaultType, type Mapping } from '../src/index.js';
import { recordingBackend } from './recording-backend.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'mmapkit-core-guard-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Every method but close() and faults(), called with valid arguments. */
const calls: ReadonlyArray<[string, (mapping: Mapping) => unknown]> = [
  ['bytes', (mapping) => mapping.bytes],
  ['view', (mapping) => mapping.view(0, 1)],
  ['sync', (mapping) => mapping.sync()],
  ['refresh', (mapping) => mapping.refresh()],
  ['advise', (mapping) => mapping.advise('normal')],
  ['unsafeAdvise', (mapping) => mapping.unsafeAdvise('dontneed')],
  ['protect', (mapping) => mapping.protect('read')],
  ['residency', (mapping) => mapping.residency()],
  ['lock', (mapping) => mapping.lock()],
];

describe('the fault guard at the front', () => {
  it('faultGuard defaults to the capability, and faultGuard: true without it throws ERR_MMAP_UNSUPPORTED', () => {
    const plain = recordingBackend();
    mapAnonymous(plain.backend, { length: 10 }).close();
    expect(plain.requests[0]?.faultGuard).toBe(false);
    expect(() => mapAnonymous(plain.backend, { length: 10, faultGuard: true })).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED', message: expect.stringContaining('faultGuard: true') }),
    );
    expect(() => mapAnonymous(plain.backend, { length: 10, faultGuard: 'yes' as unknown as boolean })).toThrow(TypeError);
    const guarded = recordingBackend({ faultGuard: true });
    mapAnonymous(guarded.backend, { length: 10 }).close();
    mapAnonymous(guarded.backend, { length: 10, faultGuard: false }).close();
    expect(guarded.requests.map((request) => request.faultGuard)).toEqual([true, false]);
  });

  it.each<[FaultType, string]>([
    ['truncated', 'ERR_MMAP_TRUNCATED'],
    ['read-only-write', 'ERR_MMAP_READONLY_WRITE'],
    ['access-revoked', 'ERR_MMAP_ACCESS_REVOKED'],
    ['io-error', 'ERR_MMAP_SYSTEM'],
  ])('a %s fault poisons the mapping: every call but close() throws %s until close(); faults() lists it at the mapping\'s offsets', async (type, code) => {
    const { backend, faults } = recordingBackend({ faultGuard: true });
    const path = join(folder, 'data.bin');
    writeFileSync(path, new Uint8Array(pageSize * 4));
    // Mapped from offset 100: the region starts 100 bytes before the mapping's first byte.
    const mapping = mapFile(backend, { path, offset: 100 });
    expect(mapping.faults()).toEqual([]);
    faults.push({ type, offset: 100 + 4000, time: 1234 });
    for (const [name, call] of calls) {
      expect(() => call(mapping), name).toThrow(expect.objectContaining({ name: 'MmapError', code, path }));
    }
    await expect(mapping.syncAsync()).rejects.toMatchObject({ code });
    await expect(mapping.prefetch()).rejects.toMatchObject({ code });
    expect(mapping.faults()).toEqual([{ type, offset: 4000, time: 1234 }]);
    mapping.close();
    expect(mapping.closed).toBe(true);
    expect(() => mapping.sync()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_CLOSED' }));
    expect(mapping.faults()).toEqual([{ type, offset: 4000, time: 1234 }]);
  });
});
