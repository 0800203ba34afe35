/**
 * No byte written through a shared fs mapping is lost: changes reach the file at close(),
 * at `using`'s end, when the mapping is collected and when the process exits; a failed
 * write-back at close() throws and keeps the mapping open. And a file truncated by
 * someone else never gets its truncated range back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, truncateSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mapFile } from '@mmapkit/core';
import { backend } from '../src/index.js';
import { runScriptHere, runScriptHereWith, seededBytes, temporaryFolder, writeFile } from './helpers.js';

const pageSize = backend.pageSize;
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
let directory: ReturnType<typeof temporaryFolder>;

beforeEach(() => {
  directory = temporaryFolder('mmapkit-fallback-fs-');
});
afterEach(() => {
  directory.remove();
});

function fileBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The script's prelude in a child process: the backend, the file, and `mapFile`. */
const prelude = `import { mapFile } from '@mmapkit/core';
import { backend } from '@mmapkit/fallback-fs';
const path = process.argv[1];`;

describe('write-back at close()', () => {
  it('close() writes the unsynced changes of a shared mapping to the file', () => {
    const path = directory.file('close.bin');
    const contents = seededBytes(3 * pageSize, 31);
    writeFile(path, contents);
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    const patch = seededBytes(100, 32);
    mapping.view(pageSize - 50, patch.length).set(patch);
    mapping.bytes[3 * pageSize - 1] = (contents[3 * pageSize - 1]! + 1) & 0xff;
    mapping.close();
    const expected = Uint8Array.from(contents);
    expected.set(patch, pageSize - 50);
    expected[3 * pageSize - 1] = (contents[3 * pageSize - 1]! + 1) & 0xff;
    expect(Buffer.from(fileBytes(path)).equals(Buffer.from(expected))).toBe(true);
  });

  it('the end of a `using` block writes the changes back', () => {
    const path = directory.file('using.bin');
    writeFile(path, new Uint8Array(pageSize));
    {
      using mapping = mapFile(backend, { path, protection: 'read-write' });
      mapping.bytes[7] = 7;
    }
    expect(fileBytes(path)[7]).toBe(7);
  });

  it('protect("read") writes back what was written while the pages were writable', () => {
    const path = directory.file('protect.bin');
    writeFile(path, new Uint8Array(2 * pageSize));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes[pageSize + 1] = 5;
    mapping.protect('read', { offset: pageSize, length: pageSize });
    expect(fileBytes(path)[pageSize + 1]).toBe(5);
    mapping.close();
    expect(fileBytes(path)[pageSize + 1]).toBe(5);
  });

  it('private and read-only mappings write nothing at close()', () => {
    const path = directory.file('private.bin');
    const contents = seededBytes(pageSize, 33);
    writeFile(path, contents);
    const privateMapping = mapFile(backend, { path, protection: 'read-write', sharing: 'private' });
    privateMapping.bytes.fill(1);
    privateMapping.close();
    const readOnly = mapFile(backend, { path });
    readOnly.bytes[0] = (contents[0]! + 1) & 0xff;
    readOnly.close();
    expect(Buffer.from(fileBytes(path)).equals(Buffer.from(contents))).toBe(true);
  });

  it('a failed write-back at close() throws ERR_MMAP_SYSTEM with its errno, and the mapping stays open with its data', () => {
    const path = directory.file('too-big.bin');
    writeFile(path, new Uint8Array(64 * 1024));
    // RLIMIT_FSIZE of 16 KiB: a write at 40 000 fails with EFBIG (Node ignores SIGXFSZ).
    const script = `${prelude}
const mapping = mapFile(backend, { path, protection: 'read-write' });
mapping.bytes[10] = 1;
mapping.bytes[40000] = 2;
const outcome = {};
try { mapping.close(); outcome.close = 'no error'; } catch (error) { outcome.close = { name: error.name, code: error.code, errno: error.errno, syscall: error.syscall, path: error.path }; }
outcome.closed = mapping.closed;
outcome.bytes = [mapping.bytes[10], mapping.bytes[40000]];
try { mapping.close(); outcome.again = 'no error'; } catch (error) { outcome.again = error.errno; }
process.stdout.write(JSON.stringify(outcome));`;
    const output = execFileSync('sh', ['-c', 'ulimit -f 16 && exec "$0" --input-type=module -e "$1" "$2"', process.execPath, script, path], {
      cwd: packageRoot,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual({
      close: { name: 'MmapError', code: 'ERR_MMAP_SYSTEM', errno: 'EFBIG', syscall: 'write', path },
      closed: false,
      bytes: [1, 2],
      again: 'EFBIG',
    });
    // The change the limit allowed reached the file before the failing one.
    expect(fileBytes(path)[10]).toBe(1);
    expect(fileBytes(path)[40000]).toBe(0);
  });
});

describe('write-back without close()', () => {
  it('a mapping collected without close() writes its changes back from the finalizer', async () => {
    const path = directory.file('collected.bin');
    writeFile(path, new Uint8Array(pageSize));
    const output = await runScriptHereWith(
      ['--expose-gc'],
      `${prelude}
import { readFileSync } from 'node:fs';
(() => { const mapping = mapFile(backend, { path, protection: 'read-write' }); mapping.bytes[9] = 9; })();
for (let round = 0; round < 20 && readFileSync(path)[9] !== 9; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
// Checked before the process exits, so the exit write-back cannot be what wrote it.
process.stdout.write(String(readFileSync(path)[9]));`,
      path,
    );
    expect(output).toBe('9');
  });

  for (const [ending, code] of [
    ['the program ends', ''],
    ['process.exit() is called', 'process.exit(0);'],
    ['an uncaught exception ends the process', "throw new Error('deliberate');"],
  ] as const) {
    it(`a mapping never closed writes its changes back when ${ending}`, () => {
      const path = directory.file('exit.bin');
      writeFile(path, new Uint8Array(2 * pageSize));
      const run = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `${prelude}\nglobalThis.kept = mapFile(backend, { path, protection: 'read-write' });\nglobalThis.kept.bytes[${pageSize + 3}] = 4;\n${code}`, path],
        { cwd: packageRoot, encoding: 'utf8' },
      );
      expect(run.status, run.stderr).toBe(code.startsWith('throw') ? 1 : 0);
      expect(fileBytes(path)[pageSize + 3]).toBe(4);
    });
  }

  it('a worker thread that ends with a mapping open writes its changes back', async () => {
    const path = directory.file('worker.bin');
    writeFile(path, new Uint8Array(pageSize));
    await runScriptHere(
      `import { Worker } from 'node:worker_threads';
const source = "const { mapFile } = require('@mmapkit/core'); const { backend } = require('@mmapkit/fallback-fs'); const { workerData } = require('node:worker_threads'); globalThis.kept = mapFile(backend, { path: workerData, protection: 'read-write' }); globalThis.kept.bytes[1] = 1;";
const worker = new Worker(source, { eval: true, execArgv: [], workerData: process.argv[1] });
await new Promise((resolve, reject) => { worker.on('exit', resolve); worker.on('error', reject); });`,
      path,
    );
    expect(fileBytes(path)[1]).toBe(1);
  });

  it('one exit listener serves every open mapping, and it is removed when the last one closes or is collected', async () => {
    const path = directory.file('listeners.bin');
    writeFile(path, new Uint8Array(pageSize));
    const output = await runScriptHere(
      `${prelude}
const counts = [process.listenerCount('exit')];
const mappings = Array.from({ length: 50 }, () => mapFile(backend, { path, protection: 'read-write' }));
counts.push(process.listenerCount('exit'));
for (const mapping of mappings) mapping.close();
counts.push(process.listenerCount('exit'));
// Read-only and private mappings never need it.
mapFile(backend, { path }).close();
const kept = [mapFile(backend, { path }), mapFile(backend, { path, protection: 'read-write', sharing: 'private' })];
counts.push(process.listenerCount('exit'));
process.stdout.write(JSON.stringify(counts));`,
      path,
    );
    const [before, withFifty, afterClose, readOnly] = JSON.parse(output) as number[];
    expect([withFifty! - before!, afterClose! - before!, readOnly! - before!]).toEqual([1, 0, 0]);
  });

  it('the exit listener is removed once every open mapping was collected', async () => {
    const path = directory.file('collected-listeners.bin');
    writeFile(path, new Uint8Array(pageSize));
    const output = await runScriptHereWith(
      ['--expose-gc'],
      `${prelude}
const before = process.listenerCount('exit');
(() => { for (let index = 0; index < 20; index++) mapFile(backend, { path, protection: 'read-write' }).bytes[index] = 1; })();
const during = process.listenerCount('exit');
for (let round = 0; round < 20 && process.listenerCount('exit') > before; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(JSON.stringify([during - before, process.listenerCount('exit') - before]));`,
      path,
    );
    expect(JSON.parse(output)).toEqual([1, 0]);
    expect([...fileBytes(path).subarray(0, 21)]).toEqual([...new Array<number>(20).fill(1), 0]);
  });
});

describe('truncation by someone else', () => {
  it('sync() after a truncation writes what is below the new end, throws ERR_MMAP_TRUNCATED, and no later call gives the truncated range back, even after the file grows again', async () => {
    const path = directory.file('truncated.bin');
    writeFile(path, new Uint8Array(4 * pageSize));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.fill(7);
    truncateSync(path, pageSize);
    expect(() => mapping.sync()).toThrow(expect.objectContaining({ name: 'MmapError', code: 'ERR_MMAP_TRUNCATED' }));
    expect(mapping.faults()).toEqual([expect.objectContaining({ type: 'truncated', offset: pageSize })]);
    // Another process grows the file back: the stale bytes must not come back.
    truncateSync(path, 4 * pageSize);
    const truncated = expect.objectContaining({ code: 'ERR_MMAP_TRUNCATED' });
    expect(() => mapping.sync()).toThrow(truncated);
    expect(() => mapping.view(0, 1)).toThrow(truncated);
    expect(() => mapping.refresh()).toThrow(truncated);
    await expect(mapping.syncAsync()).rejects.toMatchObject({ code: 'ERR_MMAP_TRUNCATED' });
    mapping.close();
    const result = fileBytes(path);
    expect(result.byteLength).toBe(4 * pageSize);
    expect(result.subarray(0, pageSize).every((byte) => byte === 7)).toBe(true);
    expect(result.subarray(pageSize).every((byte) => byte === 0)).toBe(true);
  });

  it('syncAsync() finds a truncation like sync()', async () => {
    const path = directory.file('truncated-async.bin');
    writeFile(path, new Uint8Array(3 * pageSize));
    using mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.fill(3);
    truncateSync(path, pageSize + 10);
    await expect(mapping.syncAsync()).rejects.toMatchObject({ name: 'MmapError', code: 'ERR_MMAP_TRUNCATED' });
    const result = fileBytes(path);
    expect(result.byteLength).toBe(pageSize + 10);
    expect(result.every((byte) => byte === 3)).toBe(true);
  });

  it('a view whose pages are read after a truncation throws ERR_MMAP_TRUNCATED and shows zeros past the new end', () => {
    const path = directory.file('truncated-read.bin');
    writeFile(path, seededBytes(3 * pageSize, 34).map((byte) => byte | 1));
    using mapping = mapFile(backend, { path });
    truncateSync(path, pageSize);
    expect(() => mapping.view(pageSize, 10)).toThrow(expect.objectContaining({ code: 'ERR_MMAP_TRUNCATED' }));
    expect(mapping.faults()).toEqual([expect.objectContaining({ type: 'truncated', offset: pageSize })]);
  });

  it('close() after a truncation succeeds and writes only below the new end', () => {
    const path = directory.file('truncated-close.bin');
    writeFile(path, new Uint8Array(2 * pageSize));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    mapping.bytes.fill(9);
    truncateSync(path, pageSize);
    mapping.close();
    const result = fileBytes(path);
    expect(result.byteLength).toBe(pageSize);
    expect(result.every((byte) => byte === 9)).toBe(true);
  });
});
