/**
 * Run by fault-guard.test.ts under every vitest pool (its own vitest process): the guarded
 * hazards happen inside the pool's worker (a child process, a worker thread, or a vm
 * context in either). A crash fails that vitest run.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { afterAll, expect, it } from 'vitest';
import { backend } from '../../src/index.js';

const folder = mkdtempSync(join(tmpdir(), 'mmapkit-pool-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const pageSize = backend.pageSize;

it('a file truncated under a guarded mapping reads 0 past its new end, and the next call throws ERR_MMAP_TRUNCATED', () => {
  const path = join(folder, 'truncated.bin');
  writeFileSync(path, new Uint8Array(16 * pageSize).fill(3));
  const mapping = mapFile(backend, { path, protection: 'read-write' });
  const floats = new Float64Array(mapping.bytes.buffer, mapping.bytes.byteOffset, mapping.byteLength / 8);
  truncateSync(path, 2 * pageSize);
  let total = 0;
  for (let index = (2 * pageSize) / 8; index < floats.length; index++) total += floats[index] ?? 1;
  floats[floats.length - 1] = 1;
  expect(total).toBe(0);
  expect(() => mapping.sync()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_TRUNCATED' }));
  expect(readFileSync(path).length).toBe(2 * pageSize);
  mapping.close();
});

it('a write to a read-only page and a read of a PROT_NONE page are repaired and reported', () => {
  const readOnly = mapAnonymous(backend, { length: 4 * pageSize, protection: 'read' });
  const bytes = readOnly.bytes;
  bytes[pageSize] = 9;
  expect(bytes[pageSize]).toBe(9);
  expect(() => readOnly.view()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_READONLY_WRITE' }));
  readOnly.close();
  const revoked = mapAnonymous(backend, { length: 4 * pageSize });
  const view = revoked.bytes;
  view[0] = 1;
  revoked.protect('none');
  expect(view[0]).toBe(0);
  expect(revoked.faults().map((event) => event.type)).toEqual(['access-revoked']);
  revoked.close();
});
