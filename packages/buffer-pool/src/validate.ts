/**
 * Every argument check of the package, in one leaf module (it imports only core's
 * validators and error classes), so every message reads the same and names the argument.
 */

import { fileURLToPath } from 'node:url';
import { MmapRangeError, MmapTypeError, validateBoolean, validateInteger, validateOptionsObject, type Backend, type BackendName } from 'mmapkit';
import type { BufferPoolOptions, PageRange, SharedPoolDescriptor } from './api.js';

/** The smallest page size the pool accepts. */
export const smallestPageSize = 4096;
const defaultPoolBytes = 64 * 1024 * 1024;
const defaultEvictionBatch = 64;
const defaultLockTimeoutMs = 5000;

const openKeys = ['pageSize', 'poolBytes', 'readOnly', 'shared', 'evictionBatch', 'lockTimeoutMs', 'directIo', 'backend'] as const;

/** `BufferPool.open()`'s options after defaults and checks (the pool size still in bytes). */
export interface CheckedOpenOptions {
  readonly path: string;
  readonly pageSize: number;
  readonly poolBytes: number | undefined;
  readonly readOnly: boolean;
  readonly shared: boolean;
  readonly directIo: boolean;
  readonly evictionBatch: number;
  readonly lockTimeoutMs: number;
  readonly backend: BackendName | Backend | undefined;
}

/** Checks the path and options of `BufferPool.open()`. */
export function checkOpenArguments(path: unknown, options: unknown, osPageSize: number): CheckedOpenOptions {
  const checkedPath = checkPath(path);
  const checked = validateOptionsObject<BufferPoolOptions>(options, 'options', openKeys);
  const pageSize = checked.pageSize === undefined ? smallestPageSize : validateInteger(checked.pageSize, 'options.pageSize', 1);
  if ((pageSize & (pageSize - 1)) !== 0 || pageSize < smallestPageSize || pageSize % osPageSize !== 0) {
    throw new MmapRangeError('options.pageSize', `a power of two >= ${smallestPageSize} and a multiple of the OS page size (${osPageSize})`, pageSize);
  }
  const poolBytes = checked.poolBytes === undefined ? undefined : validateInteger(checked.poolBytes, 'options.poolBytes', 1);
  if (poolBytes !== undefined && poolBytes < pageSize) {
    throw new MmapRangeError('options.poolBytes', `at least one page (${pageSize} bytes)`, poolBytes);
  }
  return {
    path: checkedPath,
    pageSize,
    poolBytes,
    readOnly: validateBoolean(checked.readOnly, 'options.readOnly', false),
    shared: validateBoolean(checked.shared, 'options.shared', false),
    directIo: validateBoolean(checked.directIo, 'options.directIo', false),
    evictionBatch: checked.evictionBatch === undefined ? defaultEvictionBatch : validateInteger(checked.evictionBatch, 'options.evictionBatch', 1),
    lockTimeoutMs: checked.lockTimeoutMs === undefined ? defaultLockTimeoutMs : validateInteger(checked.lockTimeoutMs, 'options.lockTimeoutMs', 0),
    backend: checked.backend,
  };
}

/** The pool's page count for a file and the checked options. */
export function poolPagesFor(options: CheckedOpenOptions, pageCount: number): number {
  const bytes = options.poolBytes ?? defaultPoolBytes;
  return Math.max(1, Math.min(pageCount, Math.floor(bytes / options.pageSize)));
}

/** Throws unless the file has at least one byte (`path` names the argument). */
export function checkFileSize(path: string, size: number): void {
  if (size === 0) throw new MmapRangeError('path', 'a file of at least one byte (an empty file has no pages)', path);
}

function checkPath(path: unknown): string {
  if (path instanceof URL) return fileURLToPath(path);
  if (typeof path !== 'string' || path.length === 0) throw new MmapTypeError('path', 'a non-empty string or a file URL', path);
  return path;
}

/** Throws unless `page` is an integer page number inside the file. */
export function checkPage(page: unknown, pageCount: number, name = 'page'): number {
  if (typeof page !== 'number') throw new MmapTypeError(name, 'of type number', page);
  if (!Number.isInteger(page) || page < 0 || page >= pageCount) {
    throw new MmapRangeError(name, `an integer page number >= 0 and < ${pageCount} (the file has ${pageCount} pages)`, page);
  }
  return page;
}

/** Checks a `PageRange` and returns its first page and count, clipped to nothing past the file. */
export function checkPageRange(range: unknown, pageCount: number): { first: number; count: number } {
  const checked = validateOptionsObject<PageRange>(range, 'range', ['first', 'count']);
  const first = checked.first === undefined ? 0 : checkPage(checked.first, pageCount, 'range.first');
  const count = checked.count === undefined ? pageCount - first : validateInteger(checked.count, 'range.count', 0, pageCount - first);
  return { first, count };
}

/** Throws unless `value` is a function. */
export function checkFunction(value: unknown, name: string): void {
  if (typeof value !== 'function') throw new MmapTypeError(name, 'a function', value);
}

/** Checks a `SharedPoolDescriptor` received from another thread. */
export function checkDescriptor(value: unknown): SharedPoolDescriptor {
  if (typeof value !== 'object' || value === null) throw new MmapTypeError('descriptor', 'a SharedPoolDescriptor from pool.share()', value);
  const descriptor = value as Partial<SharedPoolDescriptor>;
  if (!(descriptor.state instanceof SharedArrayBuffer)) throw new MmapTypeError('descriptor.state', 'a SharedArrayBuffer', descriptor.state);
  if (typeof descriptor.path !== 'string') throw new MmapTypeError('descriptor.path', 'a string', descriptor.path);
  if (typeof descriptor.backend !== 'string') throw new MmapTypeError('descriptor.backend', 'a string', descriptor.backend);
  for (const key of ['pageSize', 'pageCount', 'poolPages', 'fileSize', 'evictionBatch', 'lockTimeoutMs', 'memoryFd'] as const) {
    validateInteger(descriptor[key], `descriptor.${key}`, 0);
  }
  validateBoolean(descriptor.readOnly, 'descriptor.readOnly', false);
  validateBoolean(descriptor.directIo, 'descriptor.directIo', false);
  return descriptor as SharedPoolDescriptor;
}
