import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapAnonymous, mapFile, type Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

export function describeWriting(backend: Backend): void {
  describe('writing', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;
    const contents = seededBytes(pageSize * 4 + 17, 2);
    const patch = seededBytes(300, 3);

    it('writes through a shared mapping reach the file after sync()', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.view(pageSize - 100, patch.length).set(patch);
      mapping.sync();
      const expected = Buffer.from(contents);
      expected.set(patch, pageSize - 100);
      expect(readFileSync(path).equals(expected)).toBe(true);
    });

    it('bytes written through a shared mapping reach the file at close() without sync()', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.view(pageSize - 100, patch.length).set(patch);
      mapping.bytes[contents.length - 1] = (contents[contents.length - 1]! + 1) & 0xff;
      mapping.close();
      const expected = Buffer.from(contents);
      expected.set(patch, pageSize - 100);
      expected[contents.length - 1] = (contents[contents.length - 1]! + 1) & 0xff;
      expect(readFileSync(path).equals(expected)).toBe(true);
    });

    it('bytes written through a shared mapping reach the file when a `using` block ends, without sync()', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      {
        using mapping = mapFile(backend, { path, protection: 'read-write' });
        mapping.view(pageSize * 2, patch.length).set(patch);
      }
      const expected = Buffer.from(contents);
      expected.set(patch, pageSize * 2);
      expect(readFileSync(path).equals(expected)).toBe(true);
    });

    it('sync() of a sub-range at an unaligned offset writes that range', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write', offset: 5 });
      mapping.view(pageSize * 2 + 3, patch.length).set(patch);
      mapping.sync({ offset: pageSize * 2 + 3, length: patch.length });
      const expected = Buffer.from(contents);
      expected.set(patch, 5 + pageSize * 2 + 3);
      expect(readFileSync(path).equals(expected)).toBe(true);
    });

    it('sync({ async: true }) is accepted and the data reaches the file by close', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.view(0, patch.length).set(patch);
      mapping.sync({ async: true });
      mapping.sync();
      mapping.close();
      expect(readFileSync(path).subarray(0, patch.length).equals(Buffer.from(patch))).toBe(true);
    });

    it('syncAsync() resolves once the writes are in the file', async () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.view(pageSize * 3, patch.length).set(patch);
      await mapping.syncAsync({ offset: pageSize * 3, length: patch.length });
      expect(readFileSync(path).subarray(pageSize * 3, pageSize * 3 + patch.length).equals(Buffer.from(patch))).toBe(true);
    });

    it('private mappings never reach the file, even after sync() and close()', () => {
      if (!backend.capabilities.privateMappings) {
        const path = fileWith(folder.folder, 'data.bin', contents);
        expect(() => mapFile(backend, { path, protection: 'read-write', sharing: 'private' })).toThrow(
          expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }),
        );
        return;
      }
      const path = fileWith(folder.folder, 'data.bin', contents);
      const mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
      mapping.bytes.fill(0xab);
      expect(mapping.bytes[10]).toBe(0xab);
      mapping.sync();
      mapping.close();
      expect(readFileSync(path).equals(Buffer.from(contents))).toBe(true);
    });

    it('a private mapping of a read-only file can be written in memory', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
      mapping.bytes[0] = (contents[0]! + 1) & 0xff;
      expect(mapping.bytes[0]).toBe((contents[0]! + 1) & 0xff);
      expect(readFileSync(path)[0]).toBe(contents[0]);
    });

    it('anonymous mappings are zero-filled, private and shared', () => {
      for (const sharing of ['private', 'shared'] as const) {
        using mapping = mapAnonymous(backend, { length: pageSize * 3 + 5, sharing });
        expect(mapping.anonymous).toBe(true);
        expect(mapping.byteLength).toBe(pageSize * 3 + 5);
        expect(mapping.bytes.every((byte) => byte === 0)).toBe(true);
        mapping.bytes.set(patch, pageSize);
        expect([...mapping.view(pageSize, patch.length)]).toEqual([...patch]);
      }
    });

    it('create makes a missing file (owner-only) and never truncates an existing one', () => {
      const path = join(folder.folder, 'new.bin');
      const created = mapFile(backend, { path, create: true, grow: true, length: 8192, protection: 'read-write' });
      created.bytes[8191] = 9;
      created.sync();
      created.close();
      expect(statSync(path).size).toBe(8192);
      expect(statSync(path).mode & 0o777).toBe(0o600 & ~process.umask());
      expect(readFileSync(path)[8191]).toBe(9);
      writeFileSync(path, contents);
      const again = mapFile(backend, { path, create: true, protection: 'read-write' });
      expect(again.byteLength).toBe(contents.length);
      again.close();
      expect(readFileSync(path).equals(Buffer.from(contents))).toBe(true);
    });

    it('grow extends a short file with zeros and never shrinks a long one', () => {
      const path = fileWith(folder.folder, 'data.bin', contents.subarray(0, 10));
      const grown = mapFile(backend, { path, grow: true, length: pageSize * 2, protection: 'read-write' });
      expect(statSync(path).size).toBe(pageSize * 2);
      expect([...grown.view(0, 10)]).toEqual([...contents.subarray(0, 10)]);
      expect(grown.view(10).every((byte) => byte === 0)).toBe(true);
      grown.close();
      const notShrunk = mapFile(backend, { path, grow: true, length: 5, protection: 'read-write' });
      notShrunk.close();
      expect(statSync(path).size).toBe(pageSize * 2);
    });
  });
}
