/**
 * The fault guard: a file truncated under a mapping, a write to a read-only page, or an
 * access to a revoked page never kills the process; the next call throws a typed error.
 * Every hazard runs in its own Node process (test/fixtures/guard-*.mjs on the built dist/),
 * so a crash is a failed assertion, not a lost run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureReport, runFixture, runNode, temporaryFolder, type FixtureResult } from './helpers.js';

let folder: string;
let remove: () => void;
beforeAll(() => {
  ({ folder, remove } = temporaryFolder());
});
afterAll(() => remove());

/** A fresh sub-folder per fixture run, so runs never share files. */
let runs = 0;
function freshFolder(): string {
  const path = join(folder, `run-${runs++}`);
  mkdirSync(path);
  return path;
}

type Result = Record<string, Record<string, unknown>>;

function expectAllHazardsHandled(result: Result, where: 'main' | 'worker'): void {
  expect(result.truncated).toMatchObject({
    passesAfterTruncation: 50,
    truncatorCode: 0,
    unwrittenTailSum: 0,
    unwrittenTailFloats: 0,
    fileSize: 4 * 4096 + 100,
    fileIsNewContent: true,
    nextCall: 'ERR_MMAP_TRUNCATED',
    viewCall: 'ERR_MMAP_TRUNCATED',
    faultTypes: ['truncated'],
    faultOffsetPastEnd: true,
    faultsAfterClose: 1,
    afterClose: 'ERR_MMAP_CLOSED',
  });
  // The repaired tail is anonymous memory: only the part still inside the file maps it.
  expect(result.truncated?.mappedLines).toBe(1);
  expect(result.readOnly).toEqual({
    seenHere: [200, 200, 1.5],
    otherWriterSeen: 77,
    fileUnchangedWhereWritten: true,
    nextCall: 'ERR_MMAP_READONLY_WRITE',
    faults: ['read-only-write@1', 'read-only-write@4097', 'read-only-write@8193', 'read-only-write@12289', 'read-only-write@20480'],
  });
  expect(result.revoked).toEqual({ reads: [0, 0, 0], outside: 8, fileUnchanged: true, nextCall: 'ERR_MMAP_ACCESS_REVOKED', faults: ['access-revoked'] });
  if (where === 'worker') return;
  expect(result.protectedPart).toEqual({ seenHere: 9, fileBytes: [4, 3], nextCall: 'ERR_MMAP_READONLY_WRITE' });
  expect(result.privateAndAnonymous).toEqual({
    privateSeen: 5,
    fileByte: 1,
    privateNext: 'ERR_MMAP_READONLY_WRITE',
    anonymousSeen: 6,
    anonymousNext: 'ERR_MMAP_READONLY_WRITE',
  });
  expect(result.closedWhileHeld).toEqual({ lengths: [0, 0], definedReads: 0, fileUnchanged: true, nextCall: 'ERR_MMAP_CLOSED' });
  // 2000 repaired pages merge into a few kernel areas, not one each.
  expect(result.manyRepairs?.written).toBe(2000);
  expect(result.manyRepairs?.extraAreas as number).toBeLessThan(10);
  expect(result.threadPool).toEqual({
    randomNonZero: true,
    readOnlyNext: 'ERR_MMAP_READONLY_WRITE',
    inflatedLength: 16 * 4096,
    inflatedSum: 2 * 4096 * 5,
    truncatedNext: 'ERR_MMAP_TRUNCATED',
  });
}

describe('native-napi fault guard', () => {
  it('on the main thread: truncation by another process during a hot Uint8Array/Float64Array loop, read-only writes, PROT_NONE pages, closed views and thread-pool faults leave the process alive, the file as the other process left it, and the next call throws', async () => {
    expectAllHazardsHandled(fixtureReport<Result>(await runFixture('guard-hazards.mjs', [freshFolder(), 'main'])), 'main');
  }, 30_000);

  it('in a worker thread: the same hazards are handled the same way', async () => {
    expectAllHazardsHandled(fixtureReport<Result>(await runFixture('guard-hazards.mjs', [freshFolder(), 'worker'])), 'worker');
  }, 30_000);

  it('under --jitless (the interpreter only) the hazards are handled the same way', async () => {
    expectAllHazardsHandled(fixtureReport<Result>(await runFixture('guard-hazards.mjs', [freshFolder(), 'main'], { flags: ['--jitless'] })), 'main');
  }, 30_000);

  it('under --abort-on-uncaught-exception the typed errors are caught by try/catch (they are thrown from JavaScript)', async () => {
    const result = fixtureReport<Result>(await runFixture('guard-hazards.mjs', [freshFolder(), 'main'], { flags: ['--abort-on-uncaught-exception'] }));
    expect(result.truncated?.nextCall).toBe('ERR_MMAP_TRUNCATED');
    expect(result.readOnly?.nextCall).toBe('ERR_MMAP_READONLY_WRITE');
    expect(result.revoked?.nextCall).toBe('ERR_MMAP_ACCESS_REVOKED');
  }, 30_000);

  const chained = {
    first: { readOnly: 'ERR_MMAP_READONLY_WRITE', revoked: 'ERR_MMAP_ACCESS_REVOKED' },
    truncated: 'ERR_MMAP_TRUNCATED',
    withListeners: { readOnly: 'ERR_MMAP_READONLY_WRITE', revoked: 'ERR_MMAP_ACCESS_REVOKED' },
    received: ['SIGBUS'],
    afterRemoval: { readOnly: 'ERR_MMAP_READONLY_WRITE', revoked: 'ERR_MMAP_ACCESS_REVOKED' },
    truncatedAfterRemoval: 'ERR_MMAP_TRUNCATED',
  };

  it('chains what is not its own: a wasm out-of-bounds access still throws RuntimeError; process.on/off(SIGBUS|SIGSEGV) leaves the guard working and kill() still reaches the listener', async () => {
    const result = fixtureReport(await runFixture('guard-chain.mjs', [freshFolder()]));
    expect(result).toEqual({ wasmBefore: 'RuntimeError', ...chained, wasmAfter: 'RuntimeError' });
  }, 30_000);

  it('listeners added before the first guarded mapping: the guard still works', async () => {
    expect(fixtureReport(await runFixture('guard-chain.mjs', [freshFolder(), 'listener-first']))).toEqual(chained);
  }, 30_000);

  it('a fault outside every mapping still kills the process with SIGSEGV, with or without listeners added before the guard', async () => {
    const runs: FixtureResult<unknown>[] = await Promise.all([
      runFixture('guard-chain.mjs', [freshFolder(), 'outside']),
      runFixture('guard-chain.mjs', [freshFolder(), 'listener-first', 'outside']),
    ]);
    for (const run of runs) {
      expect(run.stdout).toContain('"truncatedAfterRemoval":"ERR_MMAP_TRUNCATED"');
      expect(run.stdout).not.toContain('survived');
      expect(run.signal).toBe('SIGSEGV');
    }
  }, 30_000);

  it('with faultGuard: false, a file truncated under the mapping still kills the process with SIGBUS (the opt-out)', async () => {
    const path = join(freshFolder(), 'unguarded.bin');
    writeFileSync(path, new Uint8Array(4 * 4096));
    const run = await runFixture('guard-opt-out.mjs', [path]);
    expect(run.stdout).toContain('about to read');
    expect(run.stdout).not.toContain('survived');
    expect(run.signal).toBe('SIGBUS');
  }, 20_000);

  it('stress: 100,000 guarded faults across 4 workers while the GC runs: no crash, no hang, every repaired access correct', async () => {
    const result = fixtureReport<Record<string, unknown>>(
      await runFixture('guard-stress.mjs', [freshFolder(), '25000'], { flags: ['--expose-gc'] }),
    );
    expect(result).toMatchObject({ faults: 100_000, wrongReads: 0, errorCodes: ['ERR_MMAP_ACCESS_REVOKED', 'ERR_MMAP_READONLY_WRITE', 'ERR_MMAP_TRUNCATED'] });
    expect(result.collections as number).toBeGreaterThan(10);
  }, 60_000);

  it.each(['forks', 'threads', 'vmForks', 'vmThreads'])('inside vitest\'s %s pool the guard handles the hazards in-process', async (pool) => {
    const packageRoot = fileURLToPath(new URL('..', import.meta.url));
    const vitest = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
    const run = await runNode([vitest, 'run', '--config', 'test/pool/vitest.config.mts', `--pool=${pool}`], {
      cwd: packageRoot,
      environment: { FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+2 passed/);
  }, 30_000);
});
