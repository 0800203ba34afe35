import type { Backend } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNodeScript } from './processes.js';
import { fileWith, temporaryFolder } from './support.js';

/**
 * Maps a four-page file read-write, writes every byte, has another process truncate it to
 * one page, then calls what could write the truncated range back; another process grows the
 * file again and the same calls run once more. Runs in a child process: on a backend without
 * `detectsTruncation` a wrong move is a SIGBUS. Prints one JSON object.
 */
function truncationScript(moduleSpecifier: string, path: string, pageSize: number): string {
  return `
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mapFile } from '@mmapkit/core';
const { backend } = await import(${JSON.stringify(moduleSpecifier)});
const path = ${JSON.stringify(path)};
const pageSize = ${pageSize};
const detects = backend.capabilities.detectsTruncation;
const resize = (length) => {
  const run = spawnSync(process.execPath, ['-e', 'require("node:fs").truncateSync(process.argv[1], Number(process.argv[2]))', path, String(length)]);
  if (run.status !== 0) throw new Error('the other process failed: ' + run.stderr);
};
const codeOf = async (action) => { try { await action(); return 'no error'; } catch (error) { return error.code ?? String(error); } };
const calls = async () => [await codeOf(() => mapping.sync()), await codeOf(() => mapping.syncAsync()), await codeOf(() => mapping.refresh())];

const mapping = mapFile(backend, { path, protection: 'read-write' });
const bytes = mapping.bytes;
bytes.fill(7);
resize(pageSize);
// A backend that detects truncation survives an access past the new end; one that does not would die of SIGBUS.
let touched = 0;
if (detects) touched = bytes[2 * pageSize];
const afterTruncation = await calls();
resize(4 * pageSize);
const afterRegrowth = await calls();
mapping.close();
const file = readFileSync(path);
process.stdout.write(JSON.stringify({
  touched: typeof touched,
  afterTruncation,
  afterRegrowth,
  size: file.length,
  belowNewEndWritten: file.subarray(0, pageSize).every((byte) => byte === 7),
  truncatedRangeZero: file.subarray(pageSize).every((byte) => byte === 0),
}));
`;
}

export function describeTruncation(backend: Backend): void {
  const detects = backend.capabilities.detectsTruncation;

  describe('truncation by another process', () => {
    let folder: ReturnType<typeof temporaryFolder>;
    beforeEach(() => {
      folder = temporaryFolder();
    });
    afterEach(() => folder.remove());

    const pageSize = backend.pageSize;

    it(`after truncation by another process, no call resurrects the truncated range${detects ? ' and sync(), syncAsync() and refresh() throw ERR_MMAP_TRUNCATED' : ''}`, async () => {
      const path = fileWith(folder.folder, 'truncated.bin', new Uint8Array(4 * pageSize));
      const run = await runNodeScript([], truncationScript(backend.moduleSpecifier, path, pageSize));
      expect(run.signal, run.stderr).toBe(null);
      expect(run.code, run.stderr).toBe(0);
      const outcome = detects ? 'ERR_MMAP_TRUNCATED' : 'no error';
      expect(JSON.parse(run.stdout)).toEqual({
        touched: 'number',
        afterTruncation: [outcome, outcome, outcome],
        afterRegrowth: [outcome, outcome, outcome],
        size: 4 * pageSize,
        belowNewEndWritten: true,
        truncatedRangeZero: true,
      });
    }, 20_000);

  });
}
