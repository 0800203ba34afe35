import type { Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNodeScript } from './processes.js';
import { fileWith, seededBytes, temporaryFolder } from './support.js';

/** How a child process breaks a protection: what it maps, and the forbidden access. */
const scenarios = {
  'a write to a mapping made read-only': 'write',
  "a write to a page given protect('read')": 'write',
  "a read of a page given protect('none')": 'read',
} as const;
type Scenario = keyof typeof scenarios;

/**
 * Maps the file in a child process, breaks the protection once, then reports what followed
 * (one JSON line after 'about to touch'). A backend that enforces protection without a guard
 * kills the child with SIGSEGV; with its guard, the next call throws the fault's error.
 */
function protectionScript(moduleSpecifier: string, path: string, pageSize: number, scenario: Scenario, faultGuard: boolean): string {
  return `
import { readFileSync } from 'node:fs';
import { mapFile } from '@mmapkit/core';
const { backend } = await import(${JSON.stringify(moduleSpecifier)});
const path = ${JSON.stringify(path)};
const pageSize = ${pageSize};
const scenario = ${JSON.stringify(scenario)};
const faultGuard = ${String(faultGuard)};
const before = readFileSync(path);
const mapping = scenario === 'a write to a mapping made read-only'
  ? mapFile(backend, { path, faultGuard })
  : mapFile(backend, { path, protection: 'read-write', faultGuard });
if (scenario === "a write to a page given protect('read')") mapping.protect('read', { offset: pageSize, length: pageSize });
if (scenario === "a read of a page given protect('none')") mapping.protect('none', { offset: pageSize, length: pageSize });
const view = mapping.bytes;
const target = pageSize + 10;
process.stdout.write('about to touch\\n');
let read;
if (${JSON.stringify(scenarios[scenario])} === 'write') view[target] = (before[target] + 1) & 255;
else read = view[target];
let next = 'no error';
try { mapping.view(0, 1); } catch (error) { next = error.code; }
mapping.close();
process.stdout.write(JSON.stringify({ survived: true, next, readGave: read === undefined ? 'nothing' : read === before[target] ? 'the file byte' : 'another byte', fileUnchanged: Buffer.compare(before, readFileSync(path)) === 0 }) + '\\n');
`;
}

/** The error a guarded mapping throws after each scenario's fault. */
const guardedError: Record<Scenario, string> = {
  'a write to a mapping made read-only': 'ERR_MMAP_READONLY_WRITE',
  "a write to a page given protect('read')": 'ERR_MMAP_READONLY_WRITE',
  "a read of a page given protect('none')": 'ERR_MMAP_ACCESS_REVOKED',
};

export function describeProtection(backend: Backend): void {
  const capabilities = backend.capabilities;
  const guardSettings = capabilities.faultGuard ? [false, true] : [false];

  describe('protection is enforced where the backend declares it', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;
    const cases = (Object.keys(scenarios) as Scenario[])
      .filter((scenario) => !scenario.includes("'none'") || capabilities.protections.includes('none'))
      .flatMap((scenario) => guardSettings.map((faultGuard) => [scenario, faultGuard] as const));

    it.each(cases)(
      `%s (faultGuard: %s) ${capabilities.enforcedProtection ? 'faults' : 'is bookkeeping only (enforcedProtection: false)'}, and the file is unchanged`,
      async (scenario, faultGuard) => {
        const path = fileWith(folder.folder, 'protected.bin', seededBytes(pageSize * 3, 41));
        const run = await runNodeScript([], protectionScript(backend.moduleSpecifier, path, pageSize, scenario, faultGuard));
        const lines = run.stdout.trim().split('\n');
        expect(lines[0], run.stderr).toBe('about to touch');
        if (capabilities.enforcedProtection && !faultGuard) {
          // The kernel refuses the access: SEGV_ACCERR, the default action, no JavaScript after it.
          expect(run.signal, run.stderr).toBe('SIGSEGV');
          expect(lines).toHaveLength(1);
          return;
        }
        expect(run.signal, run.stderr).toBe(null);
        expect(run.code, run.stderr).toBe(0);
        const outcome = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>;
        const isRead = scenarios[scenario] === 'read';
        if (capabilities.enforcedProtection) {
          // The guard repaired the fault (a revoked page became a zero page) and poisoned the mapping.
          expect(outcome).toEqual({ survived: true, next: guardedError[scenario], readGave: isRead ? 'another byte' : 'nothing', fileUnchanged: true });
        } else {
          expect(outcome).toEqual({ survived: true, next: 'no error', readGave: isRead ? 'the file byte' : 'nothing', fileUnchanged: true });
        }
      },
      20_000,
    );
  });
}
