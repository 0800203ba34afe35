import { mapAnonymous, mapFile, type Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNodeScript } from './processes.js';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

/**
 * The hazards run in a child process (a backend that fails them crashes, and that must fail
 * one test, not the run). Prints one JSON object.
 */
function hazardScript(moduleSpecifier: string, path: string, pageSize: number): string {
  return `
import { readFileSync, truncateSync } from 'node:fs';
import { mapFile } from '@mmapkit/core';
const { backend } = await import(${JSON.stringify(moduleSpecifier)});
const path = ${JSON.stringify(path)};
const pageSize = ${pageSize};
const codeOf = (action) => { try { action(); return 'no error'; } catch (error) { return error.code; } };

const mapping = mapFile(backend, { path, protection: 'read-write', faultGuard: true });
const bytes = mapping.bytes;
truncateSync(path, pageSize);
let tail = 0;
for (let index = pageSize; index < bytes.length; index++) tail += bytes[index];
bytes[bytes.length - 1] = 1;
const truncated = {
  tail,
  calls: [codeOf(() => mapping.view(0, 1)), codeOf(() => mapping.sync()), codeOf(() => mapping.advise('normal'))],
  faults: mapping.faults().map((event) => event.type),
  size: readFileSync(path).length,
};
mapping.close();
truncated.afterClose = codeOf(() => mapping.sync());
truncated.faultsAfterClose = mapping.faults().length;

const before = readFileSync(path);
const readOnly = mapFile(backend, { path, faultGuard: true });
const view = readOnly.bytes;
view[10] = (view[10] + 1) & 255;
const write = { next: codeOf(() => readOnly.view(0, 1)), fileUnchanged: Buffer.compare(before, readFileSync(path)) === 0 };
readOnly.close();
process.stdout.write(JSON.stringify({ truncated, write }));
`;
}

export function describeFaultGuard(backend: Backend): void {
  const guarded = backend.capabilities.faultGuard;

  describe('fault guard', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;

    it('faultGuard: false is always accepted, and a mapping without faults lists none', () => {
      const path = fileWith(folder.folder, 'plain.bin', seededBytes(pageSize, 21));
      using mapping = mapFile(backend, { path, faultGuard: false });
      expect(mapping.faults()).toEqual([]);
      using anonymous = mapAnonymous(backend, { length: pageSize, faultGuard: false });
      expect(anonymous.faults()).toEqual([]);
      mapping.close();
      expect(mapping.faults()).toEqual([]);
    });

    if (!guarded) {
      it('faultGuard: true throws ERR_MMAP_UNSUPPORTED (the backend declares no guard)', () => {
        const path = fileWith(folder.folder, 'plain.bin', seededBytes(pageSize, 22));
        const unsupported = expect.objectContaining({ name: 'MmapError', code: 'ERR_MMAP_UNSUPPORTED' });
        expect(() => mapFile(backend, { path, faultGuard: true })).toThrow(unsupported);
        expect(() => mapAnonymous(backend, { length: pageSize, faultGuard: true })).toThrow(unsupported);
      });
      return;
    }

    it('a file truncated under a guarded mapping: the process lives, reads past the new end give 0, every call but close() throws ERR_MMAP_TRUNCATED; a write to a read-only mapping throws ERR_MMAP_READONLY_WRITE and leaves the file unchanged', async () => {
      const path = fileWith(folder.folder, 'truncated.bin', seededBytes(pageSize * 8, 23));
      const run = await runNodeScript([], hazardScript(backend.moduleSpecifier, path, pageSize));
      expect(run.signal, run.stderr).toBe(null);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { truncated: Record<string, unknown>; write: Record<string, unknown> };
      expect(result.truncated).toEqual({
        tail: 0,
        calls: ['ERR_MMAP_TRUNCATED', 'ERR_MMAP_TRUNCATED', 'ERR_MMAP_TRUNCATED'],
        faults: ['truncated'],
        size: pageSize,
        afterClose: 'ERR_MMAP_CLOSED',
        faultsAfterClose: 1,
      });
      expect(result.write).toEqual({ next: 'ERR_MMAP_READONLY_WRITE', fileUnchanged: true });
    }, 20_000);
  });
}
