// Behaviour that really differs between Node versions, decided by feature detection and
// never by version strings. CI runs this file under Node 20, 22, 24 and 26 (.ci/run), so
// each side of each feature runs somewhere: the side this runtime does not have is skipped.
//
// - the largest view: `buffer.constants.MAX_LENGTH` (2^32 on Node 20, 2^53−1 on 22+)
// - `ArrayBuffer.prototype.transfer` (22+): user code can move a mapped buffer away
// - `structuredClone` with `transfer` of a mapped buffer (copies on 20, throws on 22+)
// - `node --no-addons`: no addon loads, the front door falls back to fallback-fs
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendNames, loadBackend, map, mapAnonymous, type BackendName } from '../src/index.js';
import { runNode } from './helpers.js';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const gibibyte = 2 ** 30;
/** One view can be larger than 4 GiB here (Node 22+). */
const largeViews = bufferConstants.MAX_LENGTH > 2 ** 32;
/** `ArrayBuffer.prototype.transfer` exists here (Node 22+). */
const canTransfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';
const runtimeLargestView = Math.min(bufferConstants.MAX_LENGTH, Number.MAX_SAFE_INTEGER);

/** Bytes that differ from page to page and from a file of zeros. */
function patterned(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 7 + seed) & 0xff || 1;
  return bytes;
}

/** What a child process printed as its last line of JSON. */
function lastJson<T>(result: { code: number | null; signal: string | null; stdout: string; stderr: string }): T {
  const line = result.stdout.trim().split('\n').pop() ?? '';
  expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  return JSON.parse(line) as T;
}

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'mmapkit-runtime-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.each(backendNames as readonly BackendName[])('%s on this runtime', (name) => {
  const backend = loadBackend(name);

  describe('the largest view comes from buffer.constants.MAX_LENGTH', () => {
    it('the backend declares a largest view derived from the runtime, never above it', () => {
      const { largestView } = backend.capabilities;
      expect(largestView).toBeLessThanOrEqual(runtimeLargestView);
      // koffi.view() is never asked for more than 4 GiB (it aborts the process when it fails).
      expect(largestView).toBe(name === 'ffi-koffi' ? Math.min(runtimeLargestView, 2 ** 32) : runtimeLargestView);
    });

    // fallback-fs fills a file mapping's whole view from the file (8 GiB of reads): its
    // anonymous memory shows the same view limit without that cost. The conformance suite
    // covers a fallback-fs file mapping's whole view past 4 GiB.
    const eightGiB = 8 * gibibyte;
    const mapEightGiB = () => {
      if (name === 'fallback-fs') return { mapping: mapAnonymous(eightGiB, { backend: name, sharing: 'private' }), file: undefined };
      const file = join(folder, `${name}-8g.bin`);
      const fd = openSync(file, 'w+');
      try {
        ftruncateSync(fd, eightGiB);
        writeSync(fd, patterned(4096, 1), 0, 4096, 7.5 * gibibyte);
      } finally {
        closeSync(fd);
      }
      return { mapping: map(file, { backend: name, protection: 'read-write' }), file };
    };

    it.runIf(largeViews && backend.capabilities.largestView >= eightGiB)(
      'MAX_LENGTH > 4 GiB: `bytes` of an 8 GiB sparse mapping is one view covering all of it',
      () => {
        const { mapping, file } = mapEightGiB();
        try {
          const rssBefore = process.memoryUsage().rss;
          const bytes = mapping.bytes;
          expect(bytes.length).toBe(eightGiB);
          if (file !== undefined) expect(Buffer.from(bytes.subarray(7.5 * gibibyte, 7.5 * gibibyte + 4096)).equals(patterned(4096, 1))).toBe(true);
          bytes[eightGiB - 1] = 0x5a;
          bytes[4 * gibibyte + 3] = 0x33;
          // The same memory seen through windows past 4 GiB.
          expect(mapping.view(eightGiB - 1, 1)[0]).toBe(0x5a);
          expect(mapping.view(4 * gibibyte, 8)[3]).toBe(0x33);
          expect(bytes[gibibyte]).toBe(0);
          if (file !== undefined) {
            mapping.sync();
            const check = Buffer.alloc(1);
            const fd = openSync(file, 'r');
            try {
              readSync(fd, check, 0, 1, eightGiB - 1);
            } finally {
              closeSync(fd);
            }
            expect(check[0]).toBe(0x5a);
          }
          // Demand paging: a view over 8 GiB costs only the pages touched.
          expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
        } finally {
          mapping.close();
          if (file !== undefined) rmSync(file, { force: true });
        }
      },
      60_000,
    );

    it.runIf(!largeViews || backend.capabilities.largestView < eightGiB)(
      'views limited to the backend largest view: `bytes` of an 8 GiB mapping throws ERR_MMAP_VIEW_TOO_LARGE, windows past 4 GiB work',
      () => {
        const { mapping, file } = mapEightGiB();
        try {
          expect(() => mapping.bytes).toThrow(expect.objectContaining({ code: 'ERR_MMAP_VIEW_TOO_LARGE' }));
          const window = mapping.view(7.5 * gibibyte, 4096);
          if (file !== undefined) expect(Buffer.from(window).equals(patterned(4096, 1))).toBe(true);
          window[0] = 0x11;
          expect(mapping.view(7.5 * gibibyte, 1)[0]).toBe(0x11);
          // The largest view the backend declares is served in one piece.
          const largest = Math.min(backend.capabilities.largestView, eightGiB);
          expect(mapping.view(eightGiB - largest, largest).length).toBe(largest);
        } finally {
          mapping.close();
          if (file !== undefined) rmSync(file, { force: true });
        }
      },
      60_000,
    );
  });

  describe('ArrayBuffer.prototype.transfer: user code moves a mapped buffer away', () => {
    // In a child process: a crash (SIGSEGV on a dangling pointer) is a failed assertion.
    const child = (viewOffset: number | undefined) => `
      const { map } = await import(${JSON.stringify(distIndex)});
      const { readFileSync } = await import('node:fs');
      const [path] = process.argv.slice(1);
      const expected = readFileSync(path);
      const mapping = map(path, { backend: ${JSON.stringify(name)}, protection: 'read-write' });
      const view = ${viewOffset === undefined ? 'mapping.bytes' : `mapping.view(${viewOffset}, 100)`};
      // The buffer under the view (for a sub-range view: the window it is a slice of).
      const at = view.byteOffset;
      const moved = view.buffer.transfer();
      const out = { detached: view.length, movedLength: moved.byteLength };
      const same = (from) => Buffer.from(moved, at, 100).equals(expected.subarray(${viewOffset ?? 0} + from, ${viewOffset ?? 0} + from + 100));
      out.beforeClose = same(0);
      mapping.close();
      const after = Buffer.from(moved, at, 100);
      out.afterClose = same(0) ? 'contents' : after.every((byte) => byte === 0) ? 'zeros' : 'other';
      after[0] ^= 0xff;
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      globalThis.gc();
      out.closed = mapping.closed;
      console.log(JSON.stringify(out));
    `;

    it.runIf(canTransfer)('close() after transfer() does not crash; the moved buffer keeps the bytes (whole view and a window)', async () => {
      const length = 3 * 4096 + 100;
      const path = join(folder, `${name}-transfer.bin`);
      const contents = patterned(length, 3);
      for (const viewOffset of [undefined, 4096 + 50]) {
        writeFileSync(path, contents);
        const result = await runNode(['--expose-gc', '--input-type=module', '-e', child(viewOffset), path]);
        const out = lastJson<{ detached: number; movedLength: number; beforeClose: boolean; afterClose: string; closed: boolean }>(result);
        expect(out.detached, 'our view is detached by the transfer').toBe(0);
        expect(out.movedLength).toBeGreaterThanOrEqual(100);
        expect(out.beforeClose, 'the moved buffer has the mapped bytes').toBe(true);
        expect(out.closed).toBe(true);
        // native-napi and fallback-fs: the moved memory stays the mapped bytes. ffi-koffi has
        // no finalizer for memory moved out of its views: close() swaps in private zero pages
        // (never unmapped, never reaching the file) — its documented choice (stale-views tests).
        if (name === 'ffi-koffi') expect(['contents', 'zeros']).toContain(out.afterClose);
        else expect(out.afterClose, 'the moved buffer still reads the right bytes after close()').toBe('contents');
        // A write through the moved buffer after close() never reaches a private/zero copy's
        // file; for native-napi the memory is still the file's shared mapping until collected.
        if (name !== 'native-napi') expect(readFileSync(path).equals(contents)).toBe(true);
      }
    }, 30_000);

    it.runIf(!canTransfer)('no transfer(): user code cannot move a mapped buffer away', () => {
      expect((ArrayBuffer.prototype as { transfer?: unknown }).transfer).toBeUndefined();
      using mapping = mapAnonymous(4096, { backend: name });
      expect((mapping.bytes.buffer as { transfer?: unknown }).transfer).toBeUndefined();
      expect(mapping.bytes.length).toBe(4096);
    });
  });

  describe('structuredClone(buffer, { transfer: [buffer] }) of a mapped buffer', () => {
    it('copies or throws, as the runtime does, and the mapping stays intact (or, for a plain buffer, is moved and reported)', () => {
      const length = 2 * 4096;
      const path = join(folder, `${name}-clone.bin`);
      const contents = patterned(length, 5);
      writeFileSync(path, contents);
      const mapping = map(path, { backend: name, protection: 'read-write' });
      try {
        const view = mapping.bytes;
        let outcome: 'threw' | 'copied' | 'moved';
        let clone: ArrayBuffer | undefined;
        try {
          const buffer = view.buffer as ArrayBuffer;
          clone = structuredClone(buffer, { transfer: [buffer] });
          outcome = view.length === 0 ? 'moved' : 'copied';
        } catch (error) {
          // Node 22+ refuses to transfer an external (mapped) buffer.
          expect(error).toMatchObject({ name: 'DataCloneError' });
          outcome = 'threw';
        }
        if (backend.capabilities.zeroCopy) {
          // External memory is never moved: Node 20 copies silently, 22+ throws.
          expect(['copied', 'threw']).toContain(outcome);
          expect(view.length).toBe(length);
          expect(Buffer.from(view).equals(contents)).toBe(true);
          if (clone !== undefined) {
            expect(Buffer.from(clone).equals(contents)).toBe(true);
            const copy = new Uint8Array(clone);
            copy[0] = copy[0]! ^ 0xff;
          }
          // The mapping is intact: the same memory, still writable, still the file.
          expect(mapping.bytes[0]).toBe(contents[0]);
          mapping.view(4096, 1)[0] = 0x77;
          mapping.sync();
          expect(readFileSync(path)[4096]).toBe(0x77);
        } else {
          // A plain ArrayBuffer is really transferred, on every version: the clone holds the
          // bytes, the mapping says its buffer was moved away, and the file is untouched.
          expect(outcome).toBe('moved');
          expect(Buffer.from(clone!).equals(contents)).toBe(true);
          expect(() => mapping.view(0, 1)).toThrow(expect.objectContaining({ code: 'ERR_MMAP_DETACHED' }));
          expect(readFileSync(path).equals(contents)).toBe(true);
        }
      } finally {
        mapping.close();
      }
      expect(mapping.closed).toBe(true);
    });
  });

  describe('node --no-addons', () => {
    it('asking for this backend by name works only without an addon (fallback-fs), else fails with the reason', async () => {
      const path = join(folder, `${name}-no-addons.bin`);
      writeFileSync(path, patterned(4096, 9));
      const source = `
        const { map } = await import(${JSON.stringify(distIndex)});
        const out = {};
        try {
          const mapping = map(process.argv[1], { backend: ${JSON.stringify(name)} });
          out.backend = mapping.backend.name;
          out.first = mapping.bytes[0];
          mapping.close();
        } catch (error) {
          out.code = error.code;
          out.message = error.message;
        }
        const fallback = map(process.argv[1]);
        out.default = fallback.backend.name;
        out.defaultFirst = fallback.bytes[0];
        fallback.close();
        console.log(JSON.stringify(out));
      `;
      const result = await runNode(['--no-addons', '--input-type=module', '-e', source, path], { environment: { MMAPKIT_BACKEND: undefined } });
      const out = lastJson<{ backend?: string; first?: number; code?: string; message?: string; default: string; defaultFirst: number }>(result);
      expect(out).toMatchObject({ default: 'fallback-fs', defaultFirst: patterned(1, 9)[0] });
      if (name === 'fallback-fs') {
        expect(out).toMatchObject({ backend: 'fallback-fs', first: patterned(1, 9)[0] });
      } else {
        expect(out.code).toBe('ERR_MMAP_BACKEND_UNAVAILABLE');
        expect(out.message).toMatch(/addons|ERR_DLOPEN_DISABLED/i);
      }
    });
  });
});
