import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { struct, uint32, uint64 } from '@mmapkit/struct';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { map } from '../src/index.js';

const mmapkitDist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const structDist = fileURLToPath(new URL('../../struct/dist/index.js', import.meta.url));

const Counter = struct('Counter', { id: uint32, hits: uint32.atomic(), total: uint64.atomic() });
const records = 256;
const rounds = 400;

describe.each(['native-napi', 'ffi-koffi'] as const)('struct records in a file shared by two processes (%s)', (backendName) => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'mmapkit-struct-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('a child increments an atomic counter in every record while the parent reads: exact totals, reads never go back', async () => {
    const path = join(folder, 'counters.bin');
    using mapping = map(path, { create: true, grow: true, length: Counter.size * records, protection: 'read-write', backend: backendName });
    const parentView = Counter.array(mapping.bytes, { length: records });
    for (let index = 0; index < records; index++) parentView.at(index).id = index;

    const childSource = `
      const { map } = await import(${JSON.stringify(mmapkitDist)});
      const { struct, uint32, uint64 } = await import(${JSON.stringify(structDist)});
      const Counter = struct('Counter', { id: uint32, hits: uint32.atomic(), total: uint64.atomic() });
      const mapping = map(${JSON.stringify(path)}, { protection: 'read-write', backend: ${JSON.stringify(backendName)} });
      const counters = Counter.array(mapping.bytes, { length: ${records} });
      const hits = Counter.atomic('hits');
      const total = Counter.atomic('total');
      for (let round = 0; round < ${rounds}; round++) {
        for (let index = 0; index < ${records}; index++) {
          const record = counters.at(index);
          hits.add(record, 1);
          total.add(record, BigInt(record.id));
        }
      }
      mapping.close();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', childSource], { stdio: ['ignore', 'inherit', 'pipe'] });
    let errors = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const hits = Counter.atomic('hits');
    const last = new Array<number>(records).fill(0);
    let finished = false;
    let reads = 0;
    void exited.then(() => (finished = true));
    while (!finished) {
      for (let index = 0; index < records; index++) {
        const value = hits.load(parentView.at(index));
        expect(value).toBeGreaterThanOrEqual(last[index]!);
        last[index] = value;
        reads++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(errors).toBe('');
    expect(await exited).toBe(0);
    expect(reads).toBeGreaterThan(0);
    const total = Counter.atomic('total');
    for (let index = 0; index < records; index++) {
      const record = parentView.at(index);
      expect(hits.load(record)).toBe(rounds);
      expect(total.load(record)).toBe(BigInt(index * rounds));
      expect(record.id).toBe(index);
    }
  }, 60_000);
});
