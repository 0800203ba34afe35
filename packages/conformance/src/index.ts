import type { Backend } from '@mmapkit/core';
import { describe } from 'vitest';
import { describeBadInputs } from './bad-inputs.js';
import { describeCapabilities } from './capabilities.js';
import { describeClosing } from './closing.js';
import { describeCrossProcess } from './cross-process.js';
import { describeFaultGuard } from './fault-guard.js';
import { describeGarbageCollection } from './gc.js';
import { describeLargeFiles } from './large.js';
import { describeProtection } from './protection.js';
import { describeReading } from './reading.js';
import { describeTruncation } from './truncation.js';
import { describeWriting } from './writing.js';

/**
 * The conformance suite: registers vitest tests that every mmapkit backend must pass.
 * What is tested follows `backend.capabilities` (never options given here): a feature
 * the backend does not declare must throw `ERR_MMAP_UNSUPPORTED`, and that is asserted.
 *
 * @example
 * ```ts
 * // packages/my-backend/test/conformance.test.ts
 * import { describeBackendConformance } from '@mmapkit/conformance';
 * import { backend } from '../src/index.js';
 * describeBackendConformance(backend);
 * ```
 */
export function describeBackendConformance(backend: Backend): void {
  describe(`mmapkit conformance: ${backend.name}`, () => {
    describeReading(backend);
    describeWriting(backend);
    describeCrossProcess(backend);
    describeCapabilities(backend);
    describeClosing(backend);
    describeLargeFiles(backend);
    describeGarbageCollection(backend);
    describeBadInputs(backend);
    describeFaultGuard(backend);
    describeTruncation(backend);
    describeProtection(backend);
  });
}

// Everything of the runner-free entry, so that a test imports its support from either entry.
export * from './cases.js';
