// The front door (the mmapkit package) on Windows: with native-napi installed but not built
// (no compiler; its addon is POSIX-only), it picks ffi-koffi. node --test under Wine.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { backends, chooseBackend, map } from 'mmapkit';

it('chooseBackend() picks ffi-koffi on Windows, after native-napi is rejected with its reason', () => {
  const choice = chooseBackend({ environment: {} });
  assert.equal(choice.backend.name, 'ffi-koffi');
  assert.deepEqual(
    choice.rejected.map((rejection) => rejection.name),
    ['native-napi'],
  );
  const reports = backends();
  assert.equal(reports.find((report) => report.name === 'ffi-koffi')?.available, true);
  assert.equal(reports.find((report) => report.name === 'fallback-fs')?.available, true);
});

it('map() through the front door maps with ffi-koffi and writes reach the file', () => {
  const path = join(tmpdir(), `mmapkit-front-${process.pid}.bin`);
  writeFileSync(path, Buffer.alloc(70_000));
  try {
    const mapping = map({ path, offset: 65_537, protection: 'read-write' });
    assert.equal(mapping.backend.name, 'ffi-koffi');
    mapping.bytes.fill(3);
    mapping.sync();
    mapping.close();
    assert.equal(readFileSync(path).subarray(65_537).every((byte) => byte === 3), true);
  } finally {
    rmSync(path, { force: true });
  }
});
