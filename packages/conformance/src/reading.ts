import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { mapFile, type Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

export function describeReading(backend: Backend): void {
  describe('reading files', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;
    const contents = seededBytes(pageSize * 5 + 123, 1);

    it('maps a whole file and reads exactly its bytes', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path });
      expect(mapping.byteLength).toBe(contents.length);
      expect(mapping.offset).toBe(0);
      expect(Buffer.from(mapping.bytes).equals(Buffer.from(contents))).toBe(true);
    });

    it('a page-aligned offset starts the mapping at that byte', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, offset: pageSize * 2, length: pageSize });
      expect(mapping.byteLength).toBe(pageSize);
      expect(Buffer.from(mapping.bytes).equals(Buffer.from(contents.subarray(pageSize * 2, pageSize * 3)))).toBe(true);
    });

    it('an unaligned offset starts the view exactly at the requested byte', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const offset = pageSize * 2 + 4093;
      using mapping = mapFile(backend, { path, offset, length: 1000 });
      expect(mapping.offset).toBe(offset);
      expect(Buffer.from(mapping.bytes).equals(Buffer.from(contents.subarray(offset, offset + 1000)))).toBe(true);
      expect(Buffer.from(mapping.view(10, 20)).equals(Buffer.from(contents.subarray(offset + 10, offset + 30)))).toBe(true);
    });

    it('without a length the mapping runs from the offset to the end of the file', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, offset: 7 });
      expect(mapping.byteLength).toBe(contents.length - 7);
      expect(mapping.bytes.at(-1)).toBe(contents.at(-1));
      expect(Buffer.from(mapping.bytes).equals(Buffer.from(contents.subarray(7)))).toBe(true);
    });

    it('an offset at the very end of the file gives an empty mapping', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, offset: contents.length });
      expect(mapping.byteLength).toBe(0);
      expect(mapping.bytes.length).toBe(0);
    });

    it('an empty file maps to a zero-length mapping that behaves like any other', () => {
      const path = fileWith(folder.folder, 'empty.bin', new Uint8Array(0));
      const mapping = mapFile(backend, { path, protection: 'read-write' });
      expect(mapping.byteLength).toBe(0);
      expect(mapping.bytes.length).toBe(0);
      mapping.sync();
      mapping.close();
      expect(mapping.closed).toBe(true);
    });

    it('a file that grew between opening its descriptor and mapping is mapped at its new size', () => {
      const path = fileWith(folder.folder, 'data.bin', contents.subarray(0, 100));
      const fd = openSync(path, 'r+');
      try {
        writeSync(fd, contents.subarray(100, 5000), 0, 4900, 100);
        using mapping = mapFile(backend, { fd });
        expect(mapping.byteLength).toBe(5000);
        expect(mapping.fd).toBe(fd);
        expect(Buffer.from(mapping.bytes).equals(Buffer.from(contents.subarray(0, 5000)))).toBe(true);
      } finally {
        closeSync(fd);
      }
    });

    it('a file that shrank between opening its descriptor and mapping is mapped at its new size', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, 10);
        using mapping = mapFile(backend, { fd });
        expect(mapping.byteLength).toBe(10);
        expect([...mapping.bytes]).toEqual([...contents.subarray(0, 10)]);
      } finally {
        closeSync(fd);
      }
    });

    it('the caller keeps ownership of a descriptor: it is still open after close()', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      const fd = openSync(path, 'r');
      try {
        const mapping = mapFile(backend, { fd, length: 10 });
        mapping.close();
        const probe = Buffer.alloc(1);
        expect(readSync(fd, probe, 0, 1, 0)).toBe(1);
        expect(probe[0]).toBe(contents[0]);
      } finally {
        closeSync(fd);
      }
    });

    it('views of a mapping share memory with each other', () => {
      const path = fileWith(folder.folder, 'data.bin', contents);
      using mapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
      const first = mapping.view(100, 10);
      const second = mapping.view(105, 10);
      first[5] = first[5]! ^ 0xff;
      expect(second[0]).toBe(first[5]);
      expect(mapping.bytes[105]).toBe(first[5]);
    });
  });
}
