import { readFileSync } from 'node:fs';
import { mapAnonymous, mapFile, type Backend, type Mapping } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

/** Every public operation of a mapping, called with valid arguments. */
const operations: ReadonlyArray<[name: string, call: (mapping: Mapping) => unknown]> = [
  ['bytes', (mapping) => mapping.bytes],
  ['view', (mapping) => mapping.view(0, 1)],
  ['dataView', (mapping) => mapping.dataView(0, 1)],
  ['sync', (mapping) => mapping.sync()],
  ['syncAsync', (mapping) => mapping.syncAsync()],
  ['refresh', (mapping) => mapping.refresh()],
  ['advise', (mapping) => mapping.advise('normal')],
  ['unsafeAdvise', (mapping) => mapping.unsafeAdvise('dontneed')],
  ['protect', (mapping) => mapping.protect('read')],
  ['unsafeProtect', (mapping) => mapping.unsafeProtect('read-exec')],
  ['residency', (mapping) => mapping.residency()],
  ['lock', (mapping) => mapping.lock()],
  ['unlock', (mapping) => mapping.unlock()],
  ['prefetch', (mapping) => mapping.prefetch()],
];

export function describeClosing(backend: Backend): void {
  describe('closing', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;
    const contents = seededBytes(pageSize * 3, 8);

    it('after close() every method throws ERR_MMAP_CLOSED (async ones reject)', async () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.close();
      expect(mapping.closed).toBe(true);
      for (const [name, call] of operations) {
        let outcome: unknown;
        try {
          outcome = call(mapping);
        } catch (error) {
          expect(error, name).toMatchObject({ name: 'MmapError', code: 'ERR_MMAP_CLOSED' });
          continue;
        }
        expect(outcome, `${name} must throw or reject`).toBeInstanceOf(Promise);
        await expect(outcome, name).rejects.toMatchObject({ code: 'ERR_MMAP_CLOSED' });
      }
    });

    it('close() is idempotent', () => {
      const mapping = mapAnonymous(backend, { length: pageSize });
      mapping.close();
      expect(() => mapping.close()).not.toThrow();
      expect(mapping.closed).toBe(true);
    });

    it(`views handed out before close() are harmless afterwards (${backend.capabilities.staleViews}) and never reach the file`, () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const mapping = mapFile(backend, { path, protection: 'read-write' });
      const whole = mapping.bytes;
      const part = mapping.view(pageSize + 3, 100);
      const wide = new Float64Array(whole.buffer, whole.byteOffset, 8);
      mapping.close();
      const staleViews = backend.capabilities.staleViews;
      if (staleViews === 'detached') {
        expect(whole.length).toBe(0);
        expect(part.length).toBe(0);
        expect(wide.length).toBe(0);
        expect(whole[0]).toBeUndefined();
      }
      if (staleViews === 'zeros') {
        expect(whole.length).toBe(contents.length);
        expect(whole.every((byte) => byte === 0)).toBe(true);
      }
      if (staleViews === 'copy') expect(Buffer.from(whole).equals(Buffer.from(contents))).toBe(true);
      // Writing through stale views must not crash and must not reach the file. On a
      // detached buffer indexed writes do nothing and fill() throws a TypeError (the spec).
      for (let index = 0; index < 64; index++) {
        whole[index * 61] = 0x5a;
        part[index] = 0x5a;
        wide[index % 8] = 1.5;
      }
      if (staleViews === 'detached') {
        expect(() => whole.fill(0x5a)).toThrow(TypeError);
      } else {
        whole.fill(0x5a);
        part.fill(0x5a);
        wide.fill(1.5);
      }
      expect(readFileSync(path).equals(Buffer.from(contents))).toBe(true);
    });

    it('`using` closes the mapping at the end of its scope', () => {
      let escaped: Mapping | undefined;
      {
        using mapping = mapAnonymous(backend, { length: pageSize });
        escaped = mapping;
        expect(mapping.closed).toBe(false);
      }
      expect(escaped.closed).toBe(true);
    });

    it('close() while syncAsync() and prefetch() are pending is safe and they settle', async () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.bytes.fill(7);
      const pending = [mapping.syncAsync(), mapping.prefetch()];
      mapping.close();
      const outcomes = await Promise.allSettled(pending);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ name: 'MmapError' });
      }
      expect(() => mapping.sync()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_CLOSED' }));
    });
  });
}
