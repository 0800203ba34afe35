import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapFile } from '@mmapkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';
import { runFixture, seededBytes, temporaryFolder } from './support.js';

describe('garbage collection of mappings left open', () => {
  it.runIf(process.platform === 'linux')(
    'anonymous mappings collected without close() are unmapped, windows past 4 GiB included, and a view kept alive keeps its memory',
    async () => {
      const result = await runFixture<Record<string, unknown>>('gc-open.mjs', [], { flags: ['--expose-gc'] });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.report).toEqual({ before: 50, after: 0, largeMapped: false, keptMapped: true, keptReads: true, keptAfter: false });
    },
    30_000,
  );
});

describe('worker threads', () => {
  let folder: ReturnType<typeof temporaryFolder>;
  beforeEach(() => {
    folder = temporaryFolder();
  });
  afterEach(() => folder.remove());

  it('workers map the same file, see one another through Atomics, and exit or are terminated with mappings open without crashing', async () => {
    const workers = 3;
    const additions = 20_000;
    const path = join(folder.folder, 'shared.bin');
    writeFileSync(path, new Uint8Array(backend.pageSize * (workers + 2)));
    const result = await runFixture<{ messages: string[]; counter: number; pages: boolean[] }>('workers.mjs', [path, String(workers), String(additions)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.report).toEqual({
      messages: ['done', 'done', 'done', 'lingering'],
      counter: (workers + 1) * additions,
      pages: [true, true, true, true],
    });
  }, 30_000);
});

describe('anonymous shared memory (memfd)', () => {
  it.runIf(backend.capabilities.anonymousSharedMemory)(
    "a child process given the memfd sees the parent's bytes, the parent sees the child's, and Atomics from both add up",
    async () => {
      const pageSize = backend.pageSize;
      const length = pageSize * 3;
      const additions = 200_000;
      const fd = backend.createAnonymousSharedMemory('mmapkit-koffi-test', length);
      try {
        using mapping = mapFile(backend, { fd, protection: 'read-write' });
        expect(mapping.byteLength).toBe(length);
        const fromParent = seededBytes(16, 4);
        mapping.view(0, 16).set(fromParent);
        const counterBytes = mapping.view(2 * pageSize, 8);
        const counters = new Int32Array(counterBytes.buffer, counterBytes.byteOffset, 2);
        const script = new URL('./fixtures/memfd-child.mjs', import.meta.url).pathname;
        const child = spawn(process.execPath, [script, String(length), String(additions)], { stdio: ['ignore', 'pipe', 'pipe', fd] });
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
        // Wait (bounded) for the child to start adding, then race it.
        const deadline = Date.now() + 15_000;
        while (Atomics.load(counters, 1) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
        for (let round = 0; round < additions; round++) Atomics.add(counters, 0, 1);
        expect(await exited).toBe(0);
        expect(stderr).toBe('');
        expect(JSON.parse(stdout)).toEqual({ fromParent: [...fromParent] });
        expect([...mapping.view(pageSize, 16)]).toEqual(Array.from({ length: 16 }, (_, index) => 200 + index));
        expect(Atomics.load(counters, 0)).toBe(2 * additions);
      } finally {
        closeSync(fd);
      }
    },
    30_000,
  );
});

describe('named shared memory (shm_open)', () => {
  const name = `/mmapkit-koffi-${process.pid}`;
  afterEach(() => {
    try {
      backend.unlinkNamedSharedMemory(name);
    } catch {
      // Already unlinked by the test.
    }
  });

  it.runIf(backend.capabilities.namedSharedMemory)('two descriptors of one name share bytes until it is unlinked, and errors carry errno', () => {
    const first = backend.openNamedSharedMemory(name, { create: true, exclusive: true, readWrite: true }, 0o600);
    const second = backend.openNamedSharedMemory(name, { create: false, exclusive: false, readWrite: true }, 0);
    try {
      // shm_open memory starts empty: give it a size through the first descriptor.
      ftruncateSync(first, backend.pageSize);
      using writer = mapFile(backend, { fd: first, protection: 'read-write' });
      using reader = mapFile(backend, { fd: second });
      writer.bytes[10] = 99;
      expect(reader.bytes[10]).toBe(99);
      expect(() => backend.openNamedSharedMemory(name, { create: true, exclusive: true, readWrite: true }, 0o600)).toThrow(
        expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EEXIST', syscall: 'shm_open' }),
      );
    } finally {
      closeSync(first);
      closeSync(second);
    }
    backend.unlinkNamedSharedMemory(name);
    expect(() => backend.openNamedSharedMemory(name, { create: false, exclusive: false, readWrite: false }, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT', syscall: 'shm_open' }),
    );
    expect(() => backend.unlinkNamedSharedMemory(name)).toThrow(expect.objectContaining({ errno: 'ENOENT', syscall: 'shm_unlink' }));
  });
});

describe('loading', () => {
  it('importing under node --no-addons throws ERR_MMAP_BACKEND_UNAVAILABLE with the reason', async () => {
    const result = await runFixture<{ imported: boolean; name: string; code: string; message: string }>('no-addons.mjs', [], { flags: ['--no-addons'] });
    expect(result.code).toBe(0);
    expect(result.report).toMatchObject({ imported: false, name: 'MmapError', code: 'ERR_MMAP_BACKEND_UNAVAILABLE' });
    expect(result.report?.message).toContain('ERR_DLOPEN_DISABLED');
  });

  it('probe() maps and unmaps one anonymous page', () => {
    expect(() => backend.probe()).not.toThrow();
  });
});
