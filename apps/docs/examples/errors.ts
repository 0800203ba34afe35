import assert from 'node:assert/strict';
import { isArgumentError, isMmapError, mapAnonymous } from 'mmapkit';

const scratch = mapAnonymous(4096);
scratch.close();

// Every failure has a stable `code`; check codes, not messages.
try {
  void scratch.bytes;
  assert.fail('a closed mapping has no bytes');
} catch (error) {
  assert.ok(isMmapError(error));
  assert.equal(error.code, 'ERR_MMAP_CLOSED');
}

try {
  mapAnonymous(-1);
  assert.fail('a negative length is refused');
} catch (error) {
  assert.ok(isArgumentError(error));
  assert.equal(error.code, 'ERR_OUT_OF_RANGE');
}
