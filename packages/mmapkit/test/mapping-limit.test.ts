import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBackend, map, mapAnonymous, mapFile, mappingBudget, systemError, type Backend, type MappingBudgetState } from '../src/index.js';
import { runFixture } from '@mmapkit/conformance/cases';
import { seededBytes, temporaryFolder } from './helpers.js';

const folder = temporaryFolder('mmapkit-limit-');
afterAll(() => folder.remove());
const page = folder.file('page.bin');
writeFileSync(page, seededBytes(4096, 13));

/** Linux's limit, when this machine has one to test against. */
const kernelLimit = (() => {
  try {
    return Number.parseInt(readFileSync('/proc/sys/vm/max_map_count', 'latin1'), 10);
  } catch {
    return undefined;
  }
})();

interface Outcome {
  readonly code: string | undefined;
  readonly errno: string | undefined;
  readonly message: string;
}

interface LimitReport {
  readonly budget: MappingBudgetState;
  readonly first: { readonly mapped: number; readonly milliseconds: number; readonly error: Outcome };
  readonly work: { readonly json: { readonly rows: number; readonly characters: number }; readonly regexp: number; readonly worker: number };
  readonly mappedAgainAfterClosingHalf: number;
  readonly kernel?: { readonly taken: number; readonly error: Outcome; readonly frontDoor: Outcome };
  readonly budgetAtEnd: MappingBudgetState;
}

describe('the budget of memory-map areas', () => {
  it('reads the limit once, counts each open mapping of a mapping backend once, and gives it back at close()', () => {
    const before = mappingBudget();
    expect(before.limit).toBe(kernelLimit);
    if (before.limit !== undefined) expect(before.reserve).toBe(Math.max(Math.ceil(before.limit / 10), 4096));
    const mappings = [map(page), map(page, { backend: 'ffi-koffi' }), mapAnonymous(4096), map(page, { backend: 'fallback-fs' })];
    // fallback-fs maps nothing: it holds no area.
    expect(mappingBudget().mappings - before.mappings).toBe(3);
    for (const mapping of mappings) mapping.close();
    expect(mappingBudget()).toEqual(before);
  });

  it('an ENOMEM from mmap on a named backend far from the limit stays ERR_MMAP_SYSTEM with its hint, never "unavailable"', () => {
    const native = loadBackend('native-napi');
    const starved: Backend = {
      ...native,
      map: () => {
        throw systemError('mmap', 'ENOMEM', 'Cannot allocate memory (simulated; the process may have reached /proc/sys/vm/max_map_count)');
      },
    };
    const before = mappingBudget();
    expect(() => mapFile(starved, { path: page })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOMEM', message: expect.stringContaining('max_map_count') }));
    expect(() => map(page, { backend: starved })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOMEM' }));
    // The failed mappings gave their areas back.
    expect(mappingBudget()).toEqual(before);
  });

  // Each case maps ~58,000 4 KiB mappings (1.5-2 s here) and then builds 100 MiB of objects.
  // The native backend runs without its fault guard: the guard keeps one descriptor per guarded
  // file mapping, so at 20,000 descriptors (`ulimit -n` here) the process cannot open a file or
  // start a worker any more (EMFILE), a limit of its own, separate from this one.
  it.skipIf(kernelLimit === undefined).each([
    ['native-napi', 'kernel'],
    ['ffi-koffi', ''],
  ])(
    'on %s, mapping until refused is ERR_MMAP_TOO_MANY_MAPPINGS; then heavy JS work and a worker live, and closing half lets mapping work again',
    async (backend, phase) => {
      const run = await runFixture<LimitReport>(new URL('./fixtures/mapping-limit.mjs', import.meta.url), [page, backend, 'off', phase]);
      expect(run.signal).toBeNull();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = run.report as LimitReport;
      const limit = kernelLimit as number;
      expect(report.first.error).toMatchObject({ code: 'ERR_MMAP_TOO_MANY_MAPPINGS' });
      expect(report.first.error.message).toContain(`allows ${limit} per process (vm.max_map_count)`);
      expect(report.first.error.message).toMatch(/sysctl vm\.max_map_count=\d+/);
      // It stopped at the reserve, not before: most of the limit was usable.
      expect(report.first.mapped).toBeGreaterThan(limit - report.budget.reserve - 2000);
      expect(report.first.mapped).toBeLessThanOrEqual(limit - report.budget.reserve);
      expect(report.work.json.characters).toBeGreaterThan(100_000_000);
      expect(report.work.worker).toBeGreaterThan(0);
      expect(report.mappedAgainAfterClosingHalf).toBe(1000);
      expect(report.budgetAtEnd).toMatchObject({ held: 0, mappings: 0 });
      if (phase === 'kernel') {
        // Behind mmapkit's back, the rest of the areas up to the kernel's real limit: then the
        // front door names the limit too (it used to say ERR_MMAP_BACKEND_UNAVAILABLE).
        expect(report.kernel?.error).toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOMEM' });
        expect(report.kernel?.frontDoor).toMatchObject({ code: 'ERR_MMAP_TOO_MANY_MAPPINGS' });
      }
    },
    60_000,
  );
});
