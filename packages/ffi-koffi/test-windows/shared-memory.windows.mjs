// Shared memory between related processes on Windows: pagefile-backed sections, anonymous
// (the handle duplicated into the child) and named (Local\<name>). node --test under Wine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapAnonymous } from '@mmapkit/core';
import { backend, WindowsSharedMemory } from '@mmapkit/ffi-koffi';
import { nextMessage, own, runFixture, seededBytes } from './support.mjs';

const granularity = 65536;
const uniqueName = (label) => `/mmapkit-${label}-${process.pid}`;

describe('ffi-koffi on Windows: shared memory', () => {
  it('the backend has no descriptor-based shared memory, and says so', (t) => {
    assert.throws(() => backend.createAnonymousSharedMemory('x', 4096), { code: 'ERR_MMAP_UNSUPPORTED' });
    assert.throws(() => backend.openNamedSharedMemory('/x', { create: true, exclusive: true, readWrite: true }, 0o600), { code: 'ERR_MMAP_UNSUPPORTED' });
  });

  it('anonymous shared memory is seen by a child process (handle duplicated into it), both ways, Atomics included', async (t) => {
    const memory = own(t, WindowsSharedMemory.create(2 * granularity));
    const mapping = own(t, memory.map());
    const pattern = seededBytes(1000, 21);
    mapping.bytes.set(pattern, granularity + 3);
    const counter = new Int32Array(mapping.bytes.buffer, mapping.bytes.byteOffset, 4);
    const result = await runFixture('shared-memory-child.mjs', ['handle'], async (child) => {
      await nextMessage(child); // ready
      child.send({ handle: String(memory.duplicateInto(child.pid)), offset: granularity + 3, length: 1000 });
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.report.read, [...pattern]);
    assert.deepEqual([...mapping.view(10, 4)], [4, 3, 2, 1]);
    for (let round = 0; round < 1000; round++) Atomics.add(counter, 0, 1);
    assert.equal(Atomics.load(counter, 0), 2000);
  });

  it('named shared memory is opened by name in a child process and seen both ways', async (t) => {
    const name = uniqueName('named');
    const memory = own(t, WindowsSharedMemory.create(3 * 4096, { name }));
    assert.equal(memory.name, name);
    const mapping = own(t, memory.map({ offset: 4097 }));
    mapping.bytes.set([9, 8, 7]);
    const result = await runFixture('shared-memory-child.mjs', ['name'], async (child) => {
      await nextMessage(child);
      child.send({ name, offset: 4097, length: 3 });
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.report.read, [9, 8, 7]);
    assert.ok(result.report.byteLength >= 3 * 4096);
    assert.deepEqual([...mapping.view(0, 4).subarray(3)], [0]);
    // The child wrote at the start of the memory, which this mapping does not cover.
    const whole = own(t, memory.map());
    assert.deepEqual([...whole.view(10, 4)], [4, 3, 2, 1]);
  });

  it('creating a name that exists is EEXIST, opening a missing name is ENOENT', (t) => {
    const name = uniqueName('exists');
    const memory = own(t, WindowsSharedMemory.create(4096, { name }));
    assert.throws(() => WindowsSharedMemory.create(4096, { name }), { code: 'ERR_MMAP_SYSTEM', errno: 'EEXIST' });
    const again = own(t, WindowsSharedMemory.create(4096, { name, exclusive: false }));
    assert.equal(again.name, name);
    assert.throws(() => WindowsSharedMemory.open(uniqueName('missing')), { code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT' });
    assert.equal(memory.closed, false);
  });

  it('a name lives while some process holds a handle to the memory; views keep the memory, not the name (no unlink on Windows)', (t) => {
    const name = uniqueName('lifetime');
    const memory = WindowsSharedMemory.create(4096, { name });
    const mapping = own(t, memory.map());
    mapping.bytes[0] = 5;
    const reopened = WindowsSharedMemory.open(name);
    memory.close();
    // Another handle keeps the name.
    const second = own(t, reopened.map());
    assert.equal(second.bytes[0], 5);
    const third = WindowsSharedMemory.open(name);
    assert.equal(third.byteLength >= 4096, true);
    third.close();
    reopened.close();
    // The last handle is gone: the name with it, though views still show the memory.
    assert.throws(() => WindowsSharedMemory.open(name), { code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT' });
    second.bytes[1] = 6;
    assert.equal(mapping.bytes[1], 6);
  });

  it('memory opened read-only maps read-only; a writable shared view of it is EACCES', (t) => {
    const name = uniqueName('readonly');
    const memory = own(t, WindowsSharedMemory.create(4096, { name }));
    const writer = own(t, memory.map());
    writer.bytes[1] = 3;
    const reader = own(t, WindowsSharedMemory.open(name, { readOnly: true }));
    const view = own(t, reader.map());
    assert.equal(view.protection, 'read');
    assert.equal(view.bytes[1], 3);
    assert.throws(() => reader.map({ protection: 'read-write' }), { code: 'ERR_MMAP_SYSTEM', errno: 'EACCES' });
    assert.throws(() => view.protect('read-write'), { code: 'ERR_MMAP_SYSTEM', errno: 'EACCES' });
  });

  it('a private map() of shared memory is copy-on-write', (t) => {
    const memory = own(t, WindowsSharedMemory.create(2 * 4096));
    const shared = own(t, memory.map());
    const copy = own(t, memory.map({ sharing: 'private' }));
    copy.bytes[0] = 1;
    assert.equal(shared.bytes[0], 0);
    // A page not yet copied still shows the shared memory; the copied page does not.
    shared.bytes[1] = 2;
    shared.bytes[4096] = 3;
    assert.equal(copy.bytes[1], 0);
    assert.equal(copy.bytes[4096], 3);
  });

  it('bad arguments give the documented errors', (t) => {
    assert.throws(() => WindowsSharedMemory.create(0), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => WindowsSharedMemory.create(4096, { name: 'a\\b' }), { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => WindowsSharedMemory.create(4096, { nmae: 'x' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    const memory = own(t, WindowsSharedMemory.create(4096));
    assert.throws(() => memory.map({ offset: 4097 }), { code: 'ERR_MMAP_OUT_OF_RANGE' });
    assert.throws(() => memory.map({ length: 4097 }), { code: 'ERR_MMAP_OUT_OF_RANGE' });
    memory.close();
    assert.throws(() => memory.map(), { code: 'ERR_MMAP_CLOSED' });
  });

  it('anonymous private memory of the backend still works next to shared memory', (t) => {
    const mapping = own(t, mapAnonymous(backend, { length: 4096 }));
    mapping.bytes[0] = 1;
    assert.equal(mapping.bytes[0], 1);
  });
});
