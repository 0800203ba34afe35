import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { Arena } from '../src/index.js';
import { runChild, startChild } from './support.js';

const folder = temporaryFolder('mmapkit-arena-persist-');
afterAll(() => folder.remove());

describe('a file-backed arena keeps its heap across processes', () => {
  it('a new process reopens it and finds the data through the root slot', async () => {
    const path = join(folder.folder, 'root.arena');
    const arena = Arena.create({ path, size: 8 * 2 ** 20 });
    const filler = arena.alloc(5000);
    arena.close();
    const written = await runChild(['write-root', path, 'native-napi', 'hello from another process']);
    expect(written.code, written.stderr).toBe(0);
    const read = await runChild(['root', path, 'ffi-koffi']);
    expect(read.code, read.stderr).toBe(0);
    const result = JSON.parse(read.stdout) as { root: number; text: string; problems: unknown[] };
    expect(result.text).toBe('hello from another process');
    expect(result.root).toBeGreaterThan(filler);
    expect(result.problems).toEqual([]);
    using reopened = Arena.open({ path });
    expect(reopened.sizeOf(filler)).toBe(5000);
    expect(reopened.root()).toBe(result.root);
  });

  it('on the fs backend too (single-process): data written and closed is there after reopening', () => {
    const path = join(folder.folder, 'fs.arena');
    const arena = Arena.create({ path, size: 2 * 2 ** 20, backend: 'fallback-fs' });
    expect(arena.sharing).toBe('single-process');
    const offset = arena.alloc(11);
    arena.bytes(offset).set(new TextEncoder().encode('kept on fs!'));
    arena.setRoot(offset);
    arena.close();
    using reopened = Arena.open({ path, backend: 'fallback-fs' });
    expect(new TextDecoder().decode(reopened.bytes(reopened.root()))).toBe('kept on fs!');
    expect(reopened.check()).toEqual([]);
  });

  it('named shared memory: another process opens the arena by name and reads the root', async () => {
    const name = `mmapkit-arena-test-${process.pid}`;
    const arena = Arena.create({ sharedMemory: name, size: 4 * 2 ** 20 });
    try {
      const offset = arena.alloc(6);
      arena.bytes(offset).set(new TextEncoder().encode('shared'));
      arena.setRoot(offset);
      const read = await runChild(['root', `shm:${name}`, 'native-napi']);
      expect(read.code, read.stderr).toBe(0);
      expect((JSON.parse(read.stdout) as { text: string }).text).toBe('shared');
    } finally {
      arena.close();
      const { SharedMemory } = await import('mmapkit');
      SharedMemory.unlinkNamed(name);
    }
  });
});

describe('the fs backend cannot share an arena between processes, and says so', () => {
  it('a second process opening an arena held through the fs backend gets ERR_ARENA_UNSUPPORTED', async () => {
    const path = join(folder.folder, 'held.arena');
    const arena = Arena.create({ path, size: 2 * 2 ** 20, backend: 'fallback-fs' });
    try {
      for (const backend of ['fallback-fs', 'native-napi']) {
        const attempt = await runChild(['try-open', path, backend]);
        expect(attempt.code, attempt.stderr).toBe(0);
        expect((JSON.parse(attempt.stdout) as { code: string }).code).toBe('ERR_ARENA_UNSUPPORTED');
      }
    } finally {
      arena.close();
    }
    const after = await runChild(['try-open', path, 'fallback-fs']);
    expect((JSON.parse(after.stdout) as { code: string | null }).code).toBe(null);
  });

  it('an fs-backend process that died holding the arena does not lock it forever: the next one takes over', async () => {
    const path = join(folder.folder, 'dead-owner.arena');
    Arena.create({ path, size: 2 * 2 ** 20, backend: 'fallback-fs' }).close();
    // A child that opens and is killed before closing leaves its pid as the owner.
    writeFileSync(join(folder.folder, 'progress'), Buffer.alloc(4096));
    const { child, ready, done } = startChild(['forever', path, 'fallback-fs', '1', join(folder.folder, 'progress'), '0']);
    await ready;
    expect(child.exitCode).toBe(null);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    using arena = Arena.open({ path, backend: 'fallback-fs' });
    expect(arena.check()).toEqual([]);
  });
});
