import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBackend, normalizeSharedMemoryName, SharedMemory } from '../src/index.js';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** A child that maps descriptor 3 and adds 1 to the first int32 `count` times with Atomics. */
function childAdding(fd: number, backendName: string, count: number): Promise<number | null> {
  const source = `
    const { SharedMemory } = await import(${JSON.stringify(distIndex)});
    const mapping = SharedMemory.fromFd(3, { backend: ${JSON.stringify(backendName)} }).map();
    const counter = new Int32Array(mapping.bytes.buffer, mapping.bytes.byteOffset, 1);
    for (let index = 0; index < ${count}; index++) Atomics.add(counter, 0, 1);
    mapping.close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'inherit', 'inherit', fd] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
}

describe.each(['native-napi', 'ffi-koffi', 'fallback-fs'] as const)('shared memory with %s', (backendName) => {
  const backend = loadBackend(backendName);

  it('anonymous shared memory handed to a child through stdio is the same memory', async () => {
    using memory = SharedMemory.create(4096, { backend });
    using mapping = memory.map();
    const count = 200_000;
    const counter = new Int32Array(mapping.bytes.buffer, mapping.bytes.byteOffset, 1);
    const child = childAdding(memory.fd, backendName, count);
    if (backend.capabilities.crossProcessAtomics) {
      for (let index = 0; index < count; index++) Atomics.add(counter, 0, 1);
      expect(await child).toBe(0);
      expect(Atomics.load(counter, 0)).toBe(2 * count);
    } else {
      // Without cross-process atomics (fallback-fs), only the child writes; its close() writes them back.
      expect(await child).toBe(0);
      mapping.refresh();
      expect(counter[0]).toBe(count); // the child never called sync(): close() wrote its changes back
    }
  }, 30_000);

  it('named shared memory is owner-only, exclusive by default, outlives its descriptor and disappears when unlinked', () => {
    const name = `/mmapkit-test-${process.pid}-${backendName}`;
    const created = SharedMemory.createNamed(name, 8192, { backend });
    try {
      expect(created.name).toBe(name);
      expect(fstatSync(created.fd).mode & 0o777).toBe(0o600);
      expect(fstatSync(created.fd).size).toBe(8192);
      const writer = created.map();
      writer.bytes.set([1, 2, 3], 100);
      writer.sync();
      writer.close();
      created.close();
      expect(() => SharedMemory.createNamed(name, 8192, { backend })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EEXIST' }));
      using opened = SharedMemory.openNamed(name, { backend });
      expect(opened.byteLength).toBe(8192);
      using reader = opened.map({ protection: 'read' });
      expect([...reader.view(100, 3)]).toEqual([1, 2, 3]);
    } finally {
      SharedMemory.unlinkNamed(name, { backend });
    }
    expect(() => SharedMemory.openNamed(name, { backend })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT' }));
  });
});

describe('shared memory names', () => {
  it.each([
    ['', 'empty'],
    ['a/b', 'a second slash'],
    ['/..', 'a dot-dot name'],
    ['x'.repeat(251), 'too long'],
    ['spa ce', 'a space'],
    ['naïve', 'non-ASCII'],
    ['/', 'only a slash'],
    ['/a/b', 'a slash after the first'],
  ])('%j is rejected (%s) with a RangeError naming the argument', (name) => {
    expect(() => normalizeSharedMemoryName(name)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', argument: 'name' }));
  });

  it('a name gets its leading slash; non-strings are TypeErrors', () => {
    expect(normalizeSharedMemoryName('cache.v1')).toBe('/cache.v1');
    expect(normalizeSharedMemoryName('/cache.v1')).toBe('/cache.v1');
    expect(() => normalizeSharedMemoryName(42)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });

  it('closing the descriptor twice is harmless and mapping after close is ERR_MMAP_CLOSED', () => {
    const memory = SharedMemory.create(4096, { backend: 'native-napi' });
    memory.close();
    memory.close();
    expect(() => memory.map()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_CLOSED' }));
  });
});
