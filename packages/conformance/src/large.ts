import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mapFile, type Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededBytes, temporaryFolder } from './support.js';

const gibibyte = 2 ** 30;

export function describeLargeFiles(backend: Backend): void {
  describe('files larger than 4 GiB', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    it('a sparse 6 GiB file is read and written through view() at offsets past 4 GiB', () => {
      const path = join(folder.folder, 'sparse.bin');
      const size = 6 * gibibyte;
      const marker = seededBytes(4096, 9);
      const written = seededBytes(777, 10);
      const fd = openSync(path, 'w+');
      try {
        ftruncateSync(fd, size);
        writeSync(fd, marker, 0, marker.length, 4.5 * gibibyte);
        writeSync(fd, marker, 0, marker.length, 4 * gibibyte - 2048);
      } finally {
        closeSync(fd);
      }
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      expect(mapping.byteLength).toBe(size);
      expect(Buffer.from(mapping.view(4.5 * gibibyte, marker.length)).equals(Buffer.from(marker))).toBe(true);
      // A view across the 4 GiB boundary.
      expect(Buffer.from(mapping.view(4 * gibibyte - 2048, marker.length)).equals(Buffer.from(marker))).toBe(true);
      // The last byte of the file.
      expect(mapping.view(size - 1, 1)[0]).toBe(0);
      mapping.view(5.25 * gibibyte + 3, written.length).set(written);
      mapping.sync({ offset: 5.25 * gibibyte, length: 4096 });
      const check = Buffer.alloc(written.length);
      const readFd = openSync(path, 'r');
      try {
        readSync(readFd, check, 0, written.length, 5.25 * gibibyte + 3);
      } finally {
        closeSync(readFd);
      }
      expect(check.equals(Buffer.from(written))).toBe(true);
      if (size > backend.capabilities.largestView) {
        expect(() => mapping.bytes).toThrow(expect.objectContaining({ code: 'ERR_MMAP_VIEW_TOO_LARGE' }));
      } else if (backend.capabilities.zeroCopy) {
        // One view of all 6 GiB (Node 22+). Only where it is free: a copying backend would read 6 GiB.
        expect(mapping.bytes.length).toBe(size);
      }
    }, 60_000);
  });
}
