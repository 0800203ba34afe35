/**
 * Hazards of native memory, each run in its own Node process (test/fixtures/*.mjs, on the
 * built dist/) so that a crash fails one assertion instead of the whole run.
 */
import { constants as bufferConstants } from 'node:buffer';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureReport, runFixture, temporaryFolder } from './helpers.js';

let folder: string;
let remove: () => void;
beforeAll(() => {
  ({ folder, remove } = temporaryFolder());
});
afterAll(() => remove());

function fileOf(name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

describe('native-napi hazards', () => {
  it('a mapping collected without close() is unmapped by its finalizer, but only once no view of it is reachable', async () => {
    const content = new Uint8Array(10000);
    content[0] = 7;
    const path = fileOf('finalizer.bin', content);
    const result = fixtureReport<Record<string, number>>(await runFixture('finalizer.mjs', [path], { flags: ['--expose-gc'] }));
    expect(result.mappedWhileViewsLive).toBe(41);
    expect(result.liveWithSurvivor).toBe(1);
    expect(result.survivorByte).toBe(7);
    expect(result.fileLinesWithSurvivor).toBe(1);
    expect(result.liveAtEnd).toBe(0);
    expect(result.fileLinesAtEnd).toBe(0);
  }, 20_000);

  it('close() while syncAsync()/prefetch() are pending detaches views at once, settles the jobs and unmaps after them; prefetch never blocks the event loop', async () => {
    const result = fixtureReport<Record<string, unknown>>(await runFixture('close-pending.mjs', [folder]));
    expect(result.viewLengthAfterClose).toBe(0);
    expect(result.syncOutcome).toBe('resolved');
    expect(result.fileLinesAfterSync).toBe(0);
    expect(result.prefetchOutcome).toBe('resolved');
    expect(result.residentPagesAfterPrefetch).toBe(262144);
    // A 1 ms interval keeps firing while 1 GiB is faulted in on the thread pool.
    expect(result.ticksDuringPrefetch as number).toBeGreaterThan((result.prefetchMilliseconds as number) / 10);
    expect(result.manyOutcomes).toEqual(['fulfilled']);
    expect(result.liveRegions).toBe(0);
  }, 30_000);

  it('a worker mapping the same file sees the same memory, and exiting with live mappings (and a prefetch running) unmaps them', async () => {
    const path = fileOf('worker.bin', new Uint8Array(8192));
    const result = fixtureReport<Record<string, number>>(await runFixture('worker.mjs', [path]));
    expect(result).toMatchObject({
      exitCode: 0,
      seenByWorker: 42,
      writtenByWorker: 43,
      atomicCounter: 1000,
      workerLiveRegionsBeforeExit: 7,
      fileLinesAfterWorkerExit: 1,
      mainLiveRegions: 1,
      fileLinesAfterClose: 0,
    });
  }, 20_000);

  it('two processes each doing 1e6 Atomics.add on one shared counter end at exactly 2e6', async () => {
    const cells = new Int32Array(1024);
    cells[2] = 2;
    const path = fileOf('atomics.bin', new Uint8Array(cells.buffer));
    const runs = await Promise.all([runFixture('atomics-child.mjs', [path, '1000000']), runFixture('atomics-child.mjs', [path, '1000000'])]);
    for (const run of runs) expect(fixtureReport(run)).toEqual({ done: 1000000 });
    const { readFileSync } = await import('node:fs');
    const after = new Int32Array(new Uint8Array(readFileSync(path)).buffer);
    expect(after[0]).toBe(2000000);
  }, 30_000);

  it('a 10 GiB sparse file maps whole: RSS grows only by the pages touched, views past 4 GiB come from windows, writes at 9 GiB reach the file', async () => {
    const result = fixtureReport<Record<string, unknown>>(await runFixture('sparse.mjs', [folder]));
    expect(result.touched).toBe(160);
    expect(result.sum).toBe(0);
    // 160 pages touched (plus the kernel's fault-around of up to 64 KiB each): far below 10 GiB.
    expect(result.grown as number).toBeLessThan(32 * 1024 * 1024);
    // One view of 10 GiB exists on Node 22+ only; on Node 20 (4 GiB views) it is refused.
    if (bufferConstants.MAX_LENGTH < 10 * 1024 ** 3) expect(result.wholeViewError).toBe('ERR_MMAP_VIEW_TOO_LARGE');
    expect(result.fromFile).toEqual([1, 2, 3, 4]);
    expect(result.detached).toBe(0);
  }, 30_000);

  it('a window moved away with ArrayBuffer.prototype.transfer() (Node 22+) keeps the memory mapped after close() until it is collected', async () => {
    const content = new Uint8Array(5000);
    content[0] = 5;
    const path = fileOf('transfer.bin', content);
    const result = fixtureReport<Record<string, unknown>>(await runFixture('transfer.mjs', [path], { flags: ['--expose-gc'] }));
    if (typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer !== 'function') {
      expect(result).toEqual({ supported: false });
      return;
    }
    expect(result).toEqual({ supported: true, otherLength: 0, movedFirstByte: 5, linesAfterClose: 1, live: 1, liveAtEnd: 0, linesAtEnd: 0 });
  }, 20_000);

  it('when the runtime refuses external buffers (the testing switch), probe() and view() throw ERR_MMAP_EXTERNAL_BUFFERS_REFUSED, in workers too', async () => {
    const result = fixtureReport(await runFixture('refused.mjs'));
    expect(result).toEqual({
      probe: 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED',
      view: 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED',
      inWorker: 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED',
      afterwards: 'no error',
      liveRegions: 0,
    });
  }, 20_000);

  it('with faultGuard: false (the opt-out), writing to a read-only mapping kills the process with a fault: protection is enforced by the hardware', async () => {
    const path = fileOf('readonly.bin', new Uint8Array(4096));
    const run = await runFixture('protection-fault.mjs', [path]);
    expect(run.stdout).toContain('about to write');
    expect(run.stdout).not.toContain('survived');
    expect(['SIGSEGV', 'SIGBUS']).toContain(run.signal);
  }, 20_000);

  it('when the install could not build the addon, importing the package throws ERR_MMAP_BACKEND_UNAVAILABLE with the install script\'s explanation', async () => {
    // A copy of the package with dist/ and the install script's failure note but no addon.
    const copy = fileURLToPath(new URL(`./fixtures/.unbuilt-${process.pid}/`, import.meta.url));
    try {
      cpSync(fileURLToPath(new URL('../dist/', import.meta.url)), join(copy, 'dist'), { recursive: true });
      mkdirSync(join(copy, 'build'));
      writeFileSync(join(copy, 'build', 'install-failure.txt'), 'the native addon was not built: node-gyp failed; missing from PATH: make\n');
      const run = await runFixture('import-report.mjs', [pathToFileURL(join(copy, 'dist', 'index.js')).href]);
      const result = fixtureReport<{ code: string; message: string }>(run);
      expect(result.code).toBe('ERR_MMAP_BACKEND_UNAVAILABLE');
      expect(result.message).toContain('missing from PATH: make');
      expect(result.message).toContain('npm run build:native');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 20_000);

  it('system errors are thrown from JavaScript, so catching them works under --abort-on-uncaught-exception', async () => {
    const path = fileOf('abort-flag.bin', new Uint8Array(4096));
    const result = fixtureReport<{ codes: string[] }>(await runFixture('abort-flag.mjs', [path], { flags: ['--abort-on-uncaught-exception'] }));
    expect(result.codes[0]).toBe('ERR_MMAP_SYSTEM EACCES mprotect');
    const hugePagesFree = Number(/^HugePages_Free:\s+(\d+)$/m.exec(readFileSync('/proc/meminfo', 'latin1'))?.[1]);
    const hugePagesOvercommit = Number(readFileSync('/proc/sys/vm/nr_overcommit_hugepages', 'latin1'));
    expect(result.codes[1]).toBe(hugePagesFree === 0 && hugePagesOvercommit === 0 ? 'ERR_MMAP_SYSTEM ENOMEM mmap' : 'huge pages available');
    expect(result.codes[2]).toBe('syncAsync resolved');
  }, 20_000);

  it('with node --no-addons, importing the package throws ERR_MMAP_BACKEND_UNAVAILABLE naming the reason', async () => {
    const run = await runFixture('import-report.mjs', [], { flags: ['--no-addons'] });
    const result = fixtureReport<{ code: string; message: string }>(run);
    expect(result.code).toBe('ERR_MMAP_BACKEND_UNAVAILABLE');
    expect(result.message).toContain('--no-addons');
  }, 20_000);
});
