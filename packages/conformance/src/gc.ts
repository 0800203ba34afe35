import type { Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNodeScript } from './processes.js';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

export function describeGarbageCollection(backend: Backend): void {
  // /proc/self/maps and /proc/self/fd are how the test sees what is still mapped or open.
  describe.skipIf(process.platform !== 'linux')('garbage collection', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    it('mappings collected without close() are unmapped and their descriptors closed, and views kept alive keep theirs', async () => {
      const path = fileWith(folder.folder, 'data.bin', seededBytes(backend.pageSize * 4, 12));
      const script = `
        import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
        import { mapFile } from '@mmapkit/core';
        const { backend } = await import(${JSON.stringify(backend.moduleSpecifier)});
        const path = ${JSON.stringify(path)};
        const mapsOf = () => readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((line) => line.endsWith(path)).length;
        const fdsOf = () => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync('/proc/self/fd/' + fd) === path; } catch { return false; } }).length;
        const settle = async () => { for (let round = 0; round < 20; round++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 5)); } };
        let kept = mapFile(backend, { path }).view(5, 10);
        const expected = [...kept];
        for (let index = 0; index < 200; index++) mapFile(backend, { path }).bytes[index];
        const before = { maps: mapsOf(), fds: fdsOf() };
        await settle();
        const keptStillReads = [...kept].join() === expected.join() && kept.length === 10;
        const whileKept = { maps: mapsOf(), fds: fdsOf() };
        kept = undefined;
        await settle();
        const after = { maps: mapsOf(), fds: fdsOf() };
        process.stdout.write(JSON.stringify({ before, whileKept, after, keptStillReads }));
      `;
      const result = await runNodeScript(['--expose-gc'], script);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as {
        before: { maps: number; fds: number };
        whileKept: { maps: number; fds: number };
        after: { maps: number; fds: number };
        keptStillReads: boolean;
      };
      expect(report.keptStillReads).toBe(true);
      if (backend.capabilities.zeroCopy) {
        expect(report.before.maps).toBeGreaterThan(1);
        expect(report.whileKept.maps).toBeGreaterThanOrEqual(1);
      }
      if (backend.capabilities.retainsFileDescriptor) {
        expect(report.before.fds).toBeGreaterThan(1);
        expect(report.whileKept.fds).toBeLessThanOrEqual(1);
      }
      expect(report.after).toEqual({ maps: 0, fds: 0 });
    }, 30_000);
  });
}
