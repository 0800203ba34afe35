import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { aligned, array, int32, int64, struct, uint32, uint64, uint8 } from '../src/index.js';

const Counter = struct('Counter', {
  hits: uint32.atomic(),
  balance: int32.atomic(),
  total: uint64.atomic(),
  signedTotal: int64.atomic().asNumber(),
  tag: uint8,
});

describe('atomic operations', () => {
  test('every operation returns the previous value and updates the field', () => {
    for (const buffer of [new ArrayBuffer(Counter.size), new SharedArrayBuffer(Counter.size)]) {
      const record = Counter.view(buffer);
      const hits = Counter.atomic('hits');
      expect(hits.store(record, 10)).toBe(10);
      expect(hits.add(record, 5)).toBe(10);
      expect(hits.sub(record, 3)).toBe(15);
      expect(hits.and(record, 0b1100)).toBe(12);
      expect(hits.or(record, 0b0011)).toBe(12);
      expect(hits.xor(record, 0b1111)).toBe(15);
      expect(hits.exchange(record, 100)).toBe(0);
      expect(hits.compareExchange(record, 99, 1)).toBe(100);
      expect(hits.compareExchange(record, 100, 1)).toBe(100);
      expect(hits.load(record)).toBe(1);
      expect(record.hits).toBe(1);
      expect(hits.sub(record, 2)).toBe(1);
      expect(record.hits).toBe(2 ** 32 - 1);
    }
  });

  test('signed, 64-bit bigint and 64-bit number fields use the matching representation', () => {
    const record = Counter.create();
    expect(Counter.atomic('balance').sub(record, 1)).toBe(0);
    expect(record.balance).toBe(-1);
    expect(Counter.atomic('total').add(record, 2n ** 40n)).toBe(0n);
    expect(record.total).toBe(2n ** 40n);
    const signedTotal = Counter.atomic('signedTotal');
    expect(signedTotal.sub(record, 5)).toBe(0);
    expect(signedTotal.load(record)).toBe(-5);
    expect(() => signedTotal.store(record, 2 ** 53)).toThrow(RangeError);
  });

  test('work on records reached through an array cursor and through nested structs', () => {
    const Outer = struct('Outer', { header: uint32, counters: array(Counter, 3) });
    const outer = Outer.create();
    const hits = Counter.atomic('hits');
    hits.add(outer.counters.at(2), 7);
    expect(outer.counters.get(2).hits).toBe(7);
    expect(outer.counters.get(1).hits).toBe(0);
  });

  test('a record of another layout is a TypeError', () => {
    const Other = struct('Other', { hits: uint32.atomic() });
    expect(() => Counter.atomic('hits').load(Other.create() as never)).toThrow(/record must be a record of Counter/);
  });

  test('atomics on a misaligned field are rejected at declaration', () => {
    expect(() => struct('Bad', { tag: uint8, hits: uint32.atomic() }, { packed: true })).toThrow(
      /Bad\.hits is atomic but its offset 1 is not a multiple of its size 4/,
    );
    expect(() => struct('Good', { tag: uint8, hits: aligned(uint32.atomic(), 4) }, { packed: true })).not.toThrow();
    const Inner = struct('Inner', { hits: uint64.atomic() });
    expect(() => struct('Outer', { tag: uint8, inner: Inner }, { packed: true })).toThrow(/contains atomic fields/);
  });

  test('atomics on big-endian fields are rejected at declaration', () => {
    expect(() => struct('Big', { hits: uint32.atomic() }, { endian: 'big' })).toThrow(/big-endian/);
    expect(() => struct('Big', { hits: uint32.atomic().endian('big') })).toThrow(/big-endian/);
  });

  test('atomics on 8- and 16-bit integers do not exist', () => {
    expect(() => (uint8 as unknown as { atomic(): unknown }).atomic()).toThrow(/32- or 64-bit/);
  });

  test('a view or array whose atomic fields would be misaligned in the buffer is a RangeError at creation', () => {
    const buffer = new SharedArrayBuffer(Counter.size * 4);
    expect(() => Counter.view(buffer, 4)).toThrow(/multiple of 8/);
    expect(() => Counter.array(new Uint8Array(buffer, 4, Counter.size * 2))).toThrow(/multiple of 8/);
    expect(() => Counter.view(buffer, 8)).not.toThrow();
  });

  test('layout.atomic() of a field not declared atomic is a TypeError', () => {
    expect(() => Counter.atomic('tag' as never)).toThrow(/declared with \.atomic\(\)/);
  });
});

describe('atomics across threads', () => {
  test('one worker increments a counter in every record while another reads: exact totals, monotonic reads', async () => {
    const recordCount = 64;
    const rounds = 2000;
    const buffer = new SharedArrayBuffer(Counter.size * recordCount);
    // Worker threads do not get vitest's TypeScript transform: bundle the worker body first.
    const directory = mkdtempSync(join(tmpdir(), 'mmapkit-struct-worker-'));
    const script = join(directory, 'atomic-worker.mjs');
    buildSync({
      entryPoints: [fileURLToPath(new URL('./support/atomic-worker.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: script,
      logLevel: 'silent',
    });
    const start = (role: 'writer' | 'reader'): Promise<{ violations: number; reads: number }> =>
      new Promise((resolve, reject) => {
        const worker = new Worker(script, { workerData: { buffer, recordCount, rounds, role } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const [writer, reader] = await Promise.all([start('writer'), start('reader')]).finally(() =>
      rmSync(directory, { recursive: true, force: true }),
    );
    expect(writer.violations).toBe(0);
    expect(reader.violations).toBe(0);
    expect(reader.reads).toBeGreaterThan(0);
    const records = Counter.array(buffer);
    for (let index = 0; index < recordCount; index++) {
      expect(records.at(index).hits).toBe(rounds);
      expect(records.at(index).total).toBe(BigInt(rounds) * 3n);
    }
  });
});
