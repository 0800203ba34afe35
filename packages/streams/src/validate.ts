/**
 * Every argument check of `@mmapkit/streams`, in one place. Messages read the same as core's:
 * `MmapTypeError`/`MmapRangeError` naming the argument and the value.
 */
import { allocationGranularity, Mapping, MmapRangeError, MmapTypeError, validateBoolean, validateInteger, validateOneOf, validateOptionsObject } from 'mmapkit';
import type { Backend, BackendName } from 'mmapkit';
import type { LinesOptions, ReadOptions, ScanOptions, WriteOptions } from './api.js';

/** Default bytes mapped at a time: 32 MiB. */
export const defaultWindowSize = 32 * 1024 * 1024;
/** Default largest chunk: 4 MiB. */
export const defaultChunkSize = 4 * 1024 * 1024;

/** A path, a file URL or a `Mapping`: what the read functions take. */
export type ReadTarget = string | URL | Mapping;

const readKeys = ['start', 'end', 'chunkSize', 'windowSize', 'copy', 'backend', 'dropBehind', 'faultGuard'] as const;
const lineKeys = [...readKeys, 'encoding', 'keepCR'] as const;
const scanKeys = [...readKeys, 'keepCR'] as const;
const writeKeys = ['flags', 'start', 'mode', 'growBy', 'fsync', 'backend', 'faultGuard'] as const;

/** Checked read options with defaults applied. */
export interface CheckedReadOptions {
  readonly start: number;
  readonly end: number | undefined;
  readonly chunkSize: number;
  readonly windowSize: number;
  readonly copy: boolean;
  readonly dropBehind: boolean;
  readonly faultGuard: boolean | undefined;
  readonly backend: BackendName | Backend | undefined;
}

/** Checked write options with defaults applied. */
export interface CheckedWriteOptions {
  readonly flags: 'w' | 'r+' | 'a';
  readonly start: number;
  readonly mode: number;
  readonly growBy: number;
  readonly fsync: boolean;
  readonly faultGuard: boolean | undefined;
  readonly backend: BackendName | Backend | undefined;
}

/** Throws unless `target` is a path, a file URL or a `Mapping`. */
export function validateReadTarget(target: unknown, name = 'target'): ReadTarget {
  if (typeof target === 'string' || target instanceof URL || target instanceof Mapping) return target;
  throw new MmapTypeError(name, 'a path, a file URL or a Mapping', target);
}

/** Throws unless `target` is a path or a file URL. */
export function validatePath(target: unknown, name = 'path'): string | URL {
  if (typeof target === 'string' || target instanceof URL) return target;
  throw new MmapTypeError(name, 'a path or a file URL', target);
}

function validateBackend(value: unknown, name: string): BackendName | Backend | undefined {
  if (value === undefined || typeof value === 'string') return value as BackendName | undefined;
  if (typeof value === 'object' && value !== null && typeof (value as Backend).map === 'function') return value as Backend;
  throw new MmapTypeError(name, "a backend name ('native-napi', 'ffi-koffi', 'fallback-fs') or a Backend", value);
}

function validateWindowSize(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const size = validateInteger(value, name, allocationGranularity, 2 ** 30);
  if (size % allocationGranularity !== 0) throw new MmapRangeError(name, `a multiple of ${allocationGranularity}`, value);
  return size;
}

/** Checks the options of the read functions. */
export function validateReadOptions(options: unknown, name = 'options', keys: readonly string[] = readKeys): CheckedReadOptions {
  const given = validateOptionsObject<ReadOptions>(options, name, keys);
  const start = given.start === undefined ? 0 : validateInteger(given.start, `${name}.start`);
  const end = given.end === undefined ? undefined : validateInteger(given.end, `${name}.end`);
  if (end !== undefined && end < start) throw new MmapRangeError(`${name}.end`, `>= ${name}.start (${start})`, end);
  const windowSize = validateWindowSize(given.windowSize, `${name}.windowSize`, defaultWindowSize);
  const chunkSize = given.chunkSize === undefined ? Math.min(defaultChunkSize, windowSize) : validateInteger(given.chunkSize, `${name}.chunkSize`, 1, 2 ** 30);
  return {
    start,
    end,
    windowSize,
    chunkSize,
    copy: validateBoolean(given.copy, `${name}.copy`, false),
    dropBehind: validateBoolean(given.dropBehind, `${name}.dropBehind`, true),
    faultGuard: given.faultGuard === undefined ? undefined : validateBoolean(given.faultGuard, `${name}.faultGuard`, true),
    backend: validateBackend(given.backend, `${name}.backend`),
  };
}

/** Checks the options of `lines()`. */
export function validateLinesOptions(options: unknown): CheckedReadOptions & { readonly encoding: BufferEncoding; readonly keepCR: boolean } {
  const read = validateReadOptions(options, 'options', lineKeys);
  const given = (options ?? {}) as LinesOptions;
  const encoding = validateOneOf(given.encoding, 'options.encoding', ['utf8', 'utf-8', 'latin1', 'ascii'] as const, 'utf8');
  return { ...read, encoding, keepCR: validateBoolean(given.keepCR, 'options.keepCR', false) };
}

/** Checks the options of `scanLines()` and `lineOffsets()`. */
export function validateScanOptions(options: unknown): CheckedReadOptions & { readonly keepCR: boolean } {
  const read = validateReadOptions(options, 'options', scanKeys);
  return { ...read, keepCR: validateBoolean((options as ScanOptions | undefined)?.keepCR, 'options.keepCR', false) };
}

/** Checks the options of `createWriteStream()`. */
export function validateWriteOptions(options: unknown): CheckedWriteOptions {
  const given = validateOptionsObject<WriteOptions>(options, 'options', writeKeys);
  return {
    flags: validateOneOf(given.flags, 'options.flags', ['w', 'r+', 'a'] as const, 'w'),
    start: given.start === undefined ? 0 : validateInteger(given.start, 'options.start'),
    mode: given.mode === undefined ? 0o666 : validateInteger(given.mode, 'options.mode', 0, 0o7777),
    growBy: validateWindowSize(given.growBy, 'options.growBy', defaultWindowSize),
    fsync: validateBoolean(given.fsync, 'options.fsync', true),
    faultGuard: given.faultGuard === undefined ? undefined : validateBoolean(given.faultGuard, 'options.faultGuard', true),
    backend: validateBackend(given.backend, 'options.backend'),
  };
}

/** Throws unless `callback` is a function. */
export function validateCallback(callback: unknown, name = 'callback'): (start: number, end: number) => unknown {
  if (typeof callback !== 'function') throw new MmapTypeError(name, 'a function', callback);
  return callback as (start: number, end: number) => unknown;
}
