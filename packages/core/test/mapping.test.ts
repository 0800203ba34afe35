import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMmapError, mapAnonymous, mapFile, pageSize, systemError } from '../src/index.js';
import { recordingBackend } from './recording-backend.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'mmapkit-core-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function file(length: number): string {
  const path = join(folder, 'data.bin');
  writeFileSync(path, Buffer.alloc(length, 1));
  return path;
}

describe('the Mapping front', () => {
  it('aligns an unaligned file offset down to the granularity and maps the gap too', () => {
    const { backend, requests } = recordingBackend();
    const path = file(pageSize * 4);
    const mapping = mapFile(backend, { path, offset: pageSize + 100, length: 50 });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ offset: pageSize, length: 150, protection: 'read', sharing: 'shared', ownsFd: true, path });
    expect(mapping.offset).toBe(pageSize + 100);
    expect(mapping.byteLength).toBe(50);
    mapping.close();
  });

  it('converts user ranges to page-aligned region ranges before calling the backend', () => {
    const { backend, calls } = recordingBackend();
    const path = file(pageSize * 4);
    const mapping = mapFile(backend, { path, offset: 100, protection: 'read-write' });
    mapping.sync({ offset: pageSize + 10, length: 20 });
    mapping.advise('willneed', { offset: 0, length: 1 });
    mapping.protect('read', { offset: pageSize * 2 - 100, length: 200 });
    expect(calls).toEqual([
      { method: 'sync', arguments: [pageSize, 100 + 10 + 20, false, false] },
      { method: 'advise', arguments: [0, 101, 'willneed'] },
      { method: 'protect', arguments: [pageSize * 2, 200, 'read'] },
    ]);
    mapping.close();
  });

  it('empty ranges never reach the backend', () => {
    const { backend, calls } = recordingBackend();
    const mapping = mapAnonymous(backend, { length: pageSize });
    mapping.sync({ offset: 10, length: 0 });
    mapping.advise('normal', { offset: pageSize });
    expect(calls).toEqual([]);
    mapping.close();
  });

  it('an advice the backend does not declare throws ERR_MMAP_UNSUPPORTED before any call', () => {
    const { backend, calls } = recordingBackend({ advice: ['normal'] });
    const mapping = mapAnonymous(backend, { length: pageSize });
    expect(() => mapping.advise('random')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    expect(calls).toEqual([]);
    mapping.close();
  });

  it('close() unmaps once, and every later call throws ERR_MMAP_CLOSED', () => {
    const { backend, calls } = recordingBackend();
    const mapping = mapAnonymous(backend, { length: pageSize });
    mapping.close();
    mapping.close();
    expect(calls.filter((call) => call.method === 'unmap')).toHaveLength(1);
    try {
      mapping.sync();
      expect.unreachable();
    } catch (error) {
      expect(isMmapError(error) && error.code).toBe('ERR_MMAP_CLOSED');
    }
  });

  it('close() calls writeBack() first; when it throws, close() rethrows and the mapping stays open with its data', () => {
    const { backend, calls } = recordingBackend();
    let failures = 1;
    const writingBackend = {
      ...backend,
      map: (request: Parameters<typeof backend.map>[0]) => ({
        ...backend.map(request),
        writeBack: () => {
          calls.push({ method: 'writeBack', arguments: [] });
          if (failures-- > 0) throw systemError('write', 'ENOSPC', 'no space left on device');
        },
      }),
    };
    const mapping = mapAnonymous(writingBackend, { length: pageSize, sharing: 'shared' });
    mapping.bytes[3] = 3;
    expect(() => mapping.close()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOSPC', syscall: 'write' }));
    expect(mapping.closed).toBe(false);
    expect(mapping.bytes[3]).toBe(3);
    expect(calls.map((call) => call.method)).toEqual(['writeBack']);
    mapping.close();
    expect(mapping.closed).toBe(true);
    expect(calls.map((call) => call.method)).toEqual(['writeBack', 'writeBack', 'unmap']);
  });

  it('the protection getter follows whole-mapping protect() calls only', () => {
    const { backend } = recordingBackend();
    const mapping = mapAnonymous(backend, { length: pageSize * 2 });
    expect(mapping.protection).toBe('read-write');
    mapping.protect('read', { offset: 0, length: pageSize });
    expect(mapping.protection).toBe('read-write');
    mapping.protect('read');
    expect(mapping.protection).toBe('read');
    mapping.close();
  });

  it('views longer than the largest view throw ERR_MMAP_VIEW_TOO_LARGE while smaller ones work', () => {
    const { backend } = recordingBackend({ largestView: pageSize });
    const mapping = mapAnonymous(backend, { length: pageSize * 3 });
    expect(() => mapping.bytes).toThrow(expect.objectContaining({ code: 'ERR_MMAP_VIEW_TOO_LARGE' }));
    expect(mapping.view(pageSize * 2 - 10, pageSize).length).toBe(pageSize);
    mapping.close();
  });

  it('grow extends the file before mapping and create never truncates', () => {
    const { backend } = recordingBackend();
    const path = join(folder, 'new.bin');
    mapFile(backend, { path, create: true, grow: true, length: 10_000, protection: 'read-write' }).close();
    expect(statSync(path).size).toBe(10_000);
    mapFile(backend, { path, create: true, protection: 'read-write', length: 5 }).close();
    expect(statSync(path).size).toBe(10_000);
  });

  it('a misspelled option names the option and suggests the right one', () => {
    const { backend } = recordingBackend();
    expect(() => mapAnonymous(backend, { length: 1, protecton: 'read' } as never)).toThrow(/options\.protecton.*did you mean "protection"/);
  });

  it('descriptors mmapkit opens are closed after mapping and after every failure', () => {
    const { backend } = recordingBackend();
    const path = file(100);
    const openDescriptors = (): number => readdirSync('/proc/self/fd').length;
    const before = openDescriptors();
    mapFile(backend, { path }).close();
    expect(() => mapFile(backend, { path, offset: 200 })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_OUT_OF_RANGE' }));
    expect(() => mapFile(backend, { path: folder })).toThrow(expect.objectContaining({ errno: 'EISDIR' }));
    expect(openDescriptors()).toBe(before);
  });

  it('a buffer moved away by user code gives ERR_MMAP_DETACHED, not a raw TypeError', () => {
    const { backend } = recordingBackend();
    const mapping = mapAnonymous(backend, { length: pageSize });
    const view = mapping.view(0, 10);
    const buffer = view.buffer as ArrayBuffer;
    structuredClone(buffer, { transfer: [buffer] });
    expect(view.length).toBe(0);
    expect(() => mapping.view(0, 10)).toThrow(expect.objectContaining({ name: 'MmapError', code: 'ERR_MMAP_DETACHED' }));
    mapping.close();
  });

  it('lock: true locks the whole mapping at map time', () => {
    const { backend, calls } = recordingBackend();
    const mapping = mapAnonymous(backend, { length: 100, lock: true });
    expect(calls).toEqual([{ method: 'lock', arguments: [0, 100] }]);
    mapping.close();
  });
});
