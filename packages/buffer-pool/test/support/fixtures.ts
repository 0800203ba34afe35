/** Test support for the buffer pool's tests: backends, scratch folders, fixtures, error codes. */

import { writeFileSync } from 'node:fs';
import { fixtureRunner, temporaryFolder, type TemporaryFolder } from '@mmapkit/conformance/cases';
import { chooseBackend, isArgumentError, type BackendName } from 'mmapkit';
import { BufferPoolError } from '../../src/index.js';
import { checksummedFile } from './pages.mjs';

/** Backends that can hold a buffer pool here (zero-copy, with MADV_DONTNEED/MADV_REMOVE). */
export const poolBackends: BackendName[] = (['native-napi', 'ffi-koffi'] as const).filter((name) => {
  try {
    chooseBackend({ backend: name });
    return true;
  } catch {
    return false;
  }
});

/** True for the long runs (`MMAPKIT_FULL=1`). */
export const full = process.env.MMAPKIT_FULL === '1';

/** A scratch folder for one test file. */
export function scratch(): TemporaryFolder {
  return temporaryFolder('mmapkit-buffer-pool-');
}

/** Runs `test/fixtures/<name>` (plain JavaScript over the built `dist`) and reads its JSON report. */
export const runFixture = fixtureRunner(new URL('../fixtures/', import.meta.url));

/** Writes a file of `pages` checksummed pages (see `pages.mjs`) and returns its path. */
export function checksummedFileAt(path: string, pages: number, pageSize: number): string {
  writeFileSync(path, checksummedFile(pages, pageSize));
  return path;
}

/**
 * What `action` threw, as `'BufferPoolError:<code>'`, `'TypeError:<code>'`, `'RangeError:<code>'`
 * or `'MmapError:<code>'`; `'did not throw'` otherwise.
 */
export function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return describeError(error);
  }
  return 'did not throw';
}

/** Like `codeOf()` for a promise. */
export async function asyncCodeOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    return describeError(error);
  }
  return 'did not throw';
}

function describeError(error: unknown): string {
  const code = String((error as { code?: unknown }).code);
  if (BufferPoolError.isInstance(error)) return `BufferPoolError:${code}`;
  if (isArgumentError(error)) return `${error.name}:${code}`;
  if (error instanceof Error) return `${error.name}:${code}`;
  return `other:${String(error)}`;
}
