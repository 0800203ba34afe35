// File mappings through kernel32 (CreateFileMappingW/MapViewOfFile), run by node --test on
// Windows node.exe under Wine. Imports the built dist of @mmapkit/core and @mmapkit/ffi-koffi.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { runChild } from '@mmapkit/conformance/cases';
import { backend } from '@mmapkit/ffi-koffi';
import { fileWith, own, runFixture, seededBytes, temporaryFolder } from './support.mjs';

const granularity = 65536;

describe('ffi-koffi on Windows: file mappings', () => {
  let folder;
  before(() => (folder = temporaryFolder()));
  after(() => folder.remove());

  it('runs on win32 with the allocation granularity and page size from GetSystemInfo', (t) => {
    assert.equal(process.platform, 'win32');
    assert.equal(backend.name, 'ffi-koffi');
    assert.equal(backend.allocationGranularity, granularity);
    assert.equal(backend.pageSize, 4096);
  });

  it('the CommonJS build loads next to the ES module build (one koffi, two backends)', () => {
    const commonJs = createRequire(import.meta.url)('@mmapkit/ffi-koffi');
    assert.notEqual(commonJs.backend, backend);
    assert.equal(commonJs.backend.allocationGranularity, granularity);
  });

  it('declares what Windows lacks instead of pretending', (t) => {
    const capabilities = backend.capabilities;
    assert.equal(capabilities.residency, false);
    assert.equal(capabilities.syncInvalidate, false);
    assert.equal(capabilities.populate, false);
    assert.equal(capabilities.noReserve, false);
    assert.equal(capabilities.hugePages, false);
    assert.equal(capabilities.anonymousSharedMemory, false);
    assert.equal(capabilities.namedSharedMemory, false);
    assert.equal(capabilities.lock, true);
    assert.deepEqual([...capabilities.protections], ['none', 'read', 'read-write']);
    assert.ok(capabilities.advice.every((advice) => advice === 'normal' || advice === 'willneed'));
    assert.ok(!capabilities.advice.some((advice) => ['dontneed', 'free', 'remove'].includes(advice)));
  });

  it('a mapping at an unaligned offset starts exactly there', (t) => {
    const contents = seededBytes(3 * granularity + 123, 1);
    const path = fileWith(folder.folder, 'read.bin', contents);
    const offset = granularity + 4097;
    const mapping = own(t, mapFile(backend, { path, offset, length: 70_001 }));
    assert.equal(mapping.offset, offset);
    assert.equal(mapping.byteLength, 70_001);
    assert.deepEqual(Buffer.from(mapping.bytes), Buffer.from(contents.subarray(offset, offset + 70_001)));
    assert.deepEqual(Buffer.from(mapping.view(70_000, 1)), Buffer.from(contents.subarray(offset + 70_000, offset + 70_001)));
  });

  it('writes at an unaligned offset reach the file after a durable sync() (FlushViewOfFile + FlushFileBuffers)', (t) => {
    const contents = seededBytes(2 * granularity + 7, 2);
    const path = fileWith(folder.folder, 'write.bin', contents);
    const offset = granularity - 3;
    const patch = seededBytes(10_000, 3);
    const mapping = own(t, mapFile(backend, { path, offset, length: 10_000, protection: 'read-write' }));
    mapping.bytes.set(patch);
    mapping.sync();
    const expected = Buffer.from(contents);
    expected.set(patch, offset);
    assert.deepEqual(readFileSync(path), expected);
  });

  it('syncAsync() flushes off the main thread and resolves once durable', async (t) => {
    const path = fileWith(folder.folder, 'async.bin', new Uint8Array(5 * 4096));
    const mapping = mapFile(backend, { path, offset: 4096 + 5, protection: 'read-write' });
    mapping.bytes.fill(0x5a);
    await mapping.syncAsync();
    assert.equal(readFileSync(path).subarray(4096 + 5).every((byte) => byte === 0x5a), true);
    mapping.bytes[0] = 1;
    const pending = mapping.syncAsync();
    mapping.close();
    await pending;
    assert.equal(readFileSync(path)[4096 + 5], 1);
  });

  it('another process sees writes at once, and its writes are seen here', async (t) => {
    const path = fileWith(folder.folder, 'shared.bin', new Uint8Array(3 * granularity));
    const mapping = own(t, mapFile(backend, { path, offset: granularity + 1, length: 100, protection: 'read-write' }));
    mapping.bytes.set([1, 2, 3]);
    const result = await runChild('@mmapkit/ffi-koffi', path, [
      { op: 'read', offset: granularity + 1, length: 3 },
      { op: 'write', offset: granularity + 4, bytes: [7, 8, 9] },
    ]);
    assert.deepEqual(result.reads, [[1, 2, 3]]);
    assert.deepEqual([...mapping.view(3, 3)], [7, 8, 9]);
  });

  it("a private mapping's writes (FILE_MAP_COPY) reach neither the file nor a shared mapping", (t) => {
    const contents = seededBytes(granularity + 99, 4);
    const path = fileWith(folder.folder, 'private.bin', contents);
    const shared = own(t, mapFile(backend, { path }));
    const privateMapping = mapFile(backend, { path, offset: 77, sharing: 'private', protection: 'read-write' });
    privateMapping.bytes.fill(0xee);
    privateMapping.sync();
    assert.equal(privateMapping.bytes.every((byte) => byte === 0xee), true);
    assert.deepEqual(Buffer.from(shared.bytes), Buffer.from(contents));
    privateMapping.close();
    assert.deepEqual(readFileSync(path), Buffer.from(contents));
  });

  it('grow extends a file before mapping it', (t) => {
    const path = join(folder.folder, 'grown.bin');
    const mapping = own(t, mapFile(backend, { path, create: true, grow: true, length: granularity + 1, offset: 3, protection: 'read-write' }));
    mapping.bytes[granularity] = 9;
    mapping.sync();
    assert.equal(statSync(path).size, granularity + 4);
    assert.equal(readFileSync(path)[granularity + 3], 9);
  });

  it('protect() changes page protection (VirtualProtect), both ways', (t) => {
    const path = fileWith(folder.folder, 'protect.bin', seededBytes(3 * 4096, 5));
    const mapping = own(t, mapFile(backend, { path, protection: 'read-write' }));
    mapping.protect('read', { offset: 4096, length: 4096 });
    mapping.protect('none');
    assert.equal(mapping.protection, 'none');
    mapping.protect('read-write');
    mapping.bytes[5000] = 1;
    assert.equal(mapping.bytes[5000], 1);
  });

  it('protect() is enforced: a write to a read-only page and a read of a no-access page end the process (access violation)', async (t) => {
    const path = fileWith(folder.folder, 'enforced.bin', seededBytes(8192, 6));
    const accessViolation = 0xc0000005;
    const write = await runFixture('protect-fault.mjs', [path, 'read', 'write']);
    assert.equal(write.code, accessViolation);
    assert.equal(write.report?.step, 'about to write');
    const read = await runFixture('protect-fault.mjs', [path, 'none', 'read']);
    assert.equal(read.code, accessViolation);
    assert.equal(read.report?.step, 'about to read');
    const control = await runFixture('protect-fault.mjs', [path, 'read-write', 'write']);
    assert.equal(control.code, 0, control.stderr);
    assert.equal(control.report?.step, 'done');
  });

  it("protect('read-write') of a shared mapping of a file opened read-only is EACCES, as on Linux", (t) => {
    const path = fileWith(folder.folder, 'readonly.bin', seededBytes(4096, 7));
    const mapping = own(t, mapFile(backend, { path }));
    assert.throws(() => mapping.protect('read-write'), { code: 'ERR_MMAP_SYSTEM', errno: 'EACCES' });
  });

  it('executable protections, residency(), invalidate and content-discarding advice are ERR_MMAP_UNSUPPORTED', (t) => {
    const mapping = own(t, mapAnonymous(backend, { length: 4096 }));
    assert.throws(() => mapping.unsafeProtect('read-exec'), { code: 'ERR_MMAP_UNSUPPORTED' });
    assert.throws(() => mapping.residency(), { code: 'ERR_MMAP_UNSUPPORTED' });
    assert.throws(() => mapping.sync({ invalidate: true }), { code: 'ERR_MMAP_UNSUPPORTED' });
    assert.throws(() => mapping.unsafeAdvise('dontneed'), { code: 'ERR_MMAP_UNSUPPORTED' });
    assert.throws(() => mapping.advise('sequential'), { code: 'ERR_MMAP_UNSUPPORTED' });
    assert.throws(() => mapAnonymous(backend, { length: 4096, populate: true }), { code: 'ERR_MMAP_UNSUPPORTED' });
  });

  it("advise('willneed') and prefetch() (PrefetchVirtualMemory), lock() and unlock() (VirtualLock) succeed", async (t) => {
    const path = fileWith(folder.folder, 'prefetch.bin', seededBytes(4 * granularity, 8));
    const mapping = own(t, mapFile(backend, { path, offset: 10 }));
    mapping.advise('normal');
    if (backend.capabilities.advice.includes('willneed')) mapping.advise('willneed', { offset: 100, length: 5000 });
    await mapping.prefetch();
    mapping.lock({ offset: 0, length: 8192 });
    mapping.unlock({ offset: 0, length: 8192 });
    const locked = own(t, mapAnonymous(backend, { length: 8192, lock: true }));
    locked.bytes[0] = 1;
  });

  it('anonymous memory (pagefile-backed sections) is zero-filled and writable, private and shared', (t) => {
    for (const sharing of ['private', 'shared']) {
      const mapping = own(t, mapAnonymous(backend, { length: 3 * granularity + 5, sharing }));
      assert.equal(mapping.bytes.every((byte) => byte === 0), true);
      mapping.bytes.fill(0x11);
      mapping.sync();
      assert.equal(mapping.bytes[3 * granularity + 4], 0x11);
      mapping.protect('read');
      mapping.protect('read-write');
    }
  });

  it('a mapped file cannot be truncated or deleted (Windows); after close() it can', (t) => {
    const path = fileWith(folder.folder, 'busy.bin', seededBytes(granularity, 9));
    const mapping = mapFile(backend, { path, protection: 'read-write' });
    const view = mapping.bytes;
    assert.throws(() => truncateSync(path, 10));
    assert.throws(() => unlinkSync(path));
    mapping.close();
    assert.equal(view.length === 0 || view[0] === 0, true);
    truncateSync(path, 10);
    unlinkSync(path);
  });

  it('close() leaves stale views harmless: they read 0, their writes never reach the file', async (t) => {
    const path = fileWith(folder.folder, 'stale.bin', seededBytes(2 * granularity, 10));
    const before = readFileSync(path);
    const result = await runFixture('stale-views.mjs', [path]);
    assert.equal(result.code, 0, result.stderr);
    const report = result.report;
    assert.equal(report.staleViews, backend.capabilities.staleViews);
    if (report.staleViews === 'zeros') {
      assert.equal(report.lengthAfterClose, 2 * granularity - 5);
      assert.equal(report.zerosAfterClose, true);
      assert.equal(report.readBackAfterWrite, 0x77);
    } else {
      assert.equal(report.lengthAfterClose, 0);
    }
    assert.equal(report.gcSurvived, true);
    assert.deepEqual(readFileSync(path), before);
  });

  it('a mapping by descriptor works and leaves the descriptor to its owner', (t) => {
    const path = fileWith(folder.folder, 'fd.bin', seededBytes(granularity + 1, 11));
    const fd = openSync(path, 'r+');
    try {
      const mapping = own(t, mapFile(backend, { fd, offset: granularity, protection: 'read-write' }));
      mapping.bytes[0] = 0x42;
      mapping.sync();
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(path)[granularity], 0x42);
  });
});
