/**
 * Every argument check of the package, in one place. Each throws mmapkit's
 * `MmapTypeError`/`MmapRangeError` naming the argument and the value.
 */
import { MmapRangeError, MmapTypeError, validateBoolean, validateInteger, validateOptionsObject, type SharedMemory } from 'mmapkit';
import type { AllocOptions, CommonArenaOptions, CreateArenaOptions, OpenArenaOptions } from './api.js';

const commonKeys = ['backend', 'purgeDelay', 'purgeThreshold'] as const;
const createKeys = [...commonKeys, 'reserve', 'path', 'sharedMemory', 'size', 'grow'];
const openKeys = [...commonKeys, 'path', 'sharedMemory'];
const largestAlignment = 2 ** 21;

/** The checked common options with defaults applied. */
export interface CheckedCommonOptions {
  readonly backend: CommonArenaOptions['backend'];
  readonly purgeDelay: number;
  readonly purgeThreshold: number;
}

/** Where a new arena lives, checked. */
export type CheckedTarget =
  | { readonly kind: 'anonymous'; readonly size: number }
  | { readonly kind: 'file'; readonly path: string | URL; readonly size: number; readonly grow: boolean }
  | { readonly kind: 'shared-memory'; readonly memory: SharedMemory | string; readonly size: number };

/** Where an existing arena lives, checked. */
export type CheckedOpenTarget = { readonly kind: 'file'; readonly path: string | URL } | { readonly kind: 'shared-memory'; readonly memory: SharedMemory | string };

function checkCommon(options: Partial<CommonArenaOptions>): CheckedCommonOptions {
  const purgeDelay = options.purgeDelay ?? 500;
  if (typeof purgeDelay !== 'number') throw new MmapTypeError('options.purgeDelay', 'of type number', purgeDelay);
  if (!(purgeDelay >= 0)) throw new MmapRangeError('options.purgeDelay', '>= 0 milliseconds (or Infinity)', purgeDelay);
  const purgeThreshold = options.purgeThreshold === undefined ? 65536 : validateInteger(options.purgeThreshold, 'options.purgeThreshold', 4096);
  return { backend: options.backend, purgeDelay, purgeThreshold };
}

function checkPath(value: unknown): string | URL {
  if (typeof value === 'string' && value.length > 0) return value;
  if (value instanceof URL) return value;
  throw new MmapTypeError('options.path', 'a non-empty string or a file URL', value);
}

function checkSharedMemory(value: unknown): SharedMemory | string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { fd?: unknown }).fd === 'number' && typeof (value as { map?: unknown }).map === 'function') {
    return value as SharedMemory;
  }
  throw new MmapTypeError('options.sharedMemory', 'a SharedMemory or the name of named shared memory', value);
}

function exactlyOne(options: Record<string, unknown>, keys: readonly string[]): string {
  const given = keys.filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    throw new MmapTypeError('options', `an object with exactly one of ${keys.map((key) => `"${key}"`).join(', ')}`, given.length === 0 ? options : given.join(', '));
  }
  return given[0] as string;
}

/** Checks the options of `Arena.create()`. */
export function checkCreateOptions(options: unknown): { target: CheckedTarget; common: CheckedCommonOptions } {
  if (options === undefined) throw new MmapTypeError('options', 'an object', options);
  const checked = validateOptionsObject<CreateArenaOptions>(options, 'options', createKeys);
  const common = checkCommon(checked);
  const where = exactlyOne(checked as Record<string, unknown>, ['reserve', 'path', 'sharedMemory']);
  if (where === 'reserve') {
    if (checked.size !== undefined) throw new MmapTypeError('options.size', 'absent with "reserve" (the reserve is the size)', checked.size);
    return { target: { kind: 'anonymous', size: validateInteger(checked.reserve, 'options.reserve', 65536) }, common };
  }
  const size = validateInteger(checked.size, 'options.size', 65536);
  if (where === 'path') return { target: { kind: 'file', path: checkPath(checked.path), size, grow: validateBoolean(checked.grow, 'options.grow', true) }, common };
  if (checked.grow !== undefined) throw new MmapTypeError('options.grow', 'absent with "sharedMemory"', checked.grow);
  return { target: { kind: 'shared-memory', memory: checkSharedMemory(checked.sharedMemory), size }, common };
}

/** Checks the options of `Arena.open()`. */
export function checkOpenOptions(options: unknown): { target: CheckedOpenTarget; common: CheckedCommonOptions } {
  if (options === undefined) throw new MmapTypeError('options', 'an object', options);
  const checked = validateOptionsObject<OpenArenaOptions>(options, 'options', openKeys);
  const common = checkCommon(checked);
  const where = exactlyOne(checked as Record<string, unknown>, ['path', 'sharedMemory']);
  if (where === 'path') return { target: { kind: 'file', path: checkPath(checked.path) }, common };
  return { target: { kind: 'shared-memory', memory: checkSharedMemory(checked.sharedMemory) }, common };
}

/** Checks a byte count of `alloc`/`realloc`; `largest` is the arena's `maxAllocation`. */
export function checkSize(size: unknown, largest: number, name = 'size'): number {
  if (typeof size !== 'number') throw new MmapTypeError(name, 'of type number', size);
  if (!Number.isInteger(size) || size < 0) throw new MmapRangeError(name, 'an integer >= 0', size);
  if (size > largest) throw new MmapRangeError(name, `<= ${largest} (the largest block this arena can hold)`, size);
  return size;
}

/** Checks `AllocOptions` and returns the alignment (at least 16). */
export function checkAllocOptions(options: unknown): number {
  if (options === undefined) return 16;
  const checked = validateOptionsObject<AllocOptions>(options, 'options', ['align']);
  if (checked.align === undefined) return 16;
  const align = validateInteger(checked.align, 'options.align', 1, largestAlignment);
  if ((align & (align - 1)) !== 0) throw new MmapRangeError('options.align', `a power of two from 1 to ${largestAlignment}`, align);
  return Math.max(16, align);
}

/** Checks that an offset is a number of the right kind (whether it is a block is the heap's question). */
export function checkOffset(offset: unknown, name = 'offset'): number {
  if (typeof offset !== 'number') throw new MmapTypeError(name, 'of type number (an offset returned by alloc)', offset);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new MmapRangeError(name, 'a safe integer >= 0 (an offset returned by alloc)', offset);
  return offset;
}

/** Checks an optional length inside a block of `available` bytes. */
export function checkLength(length: unknown, available: number, name = 'length'): number {
  if (length === undefined) return available;
  return validateInteger(length, name, 0, available);
}

/** Checks a typed-array constructor argument. */
export function checkArrayType(value: unknown): void {
  if (typeof value !== 'function' || typeof (value as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT !== 'number') {
    throw new MmapTypeError('type', 'a typed-array constructor such as Float64Array', value);
  }
}

/** Checks a struct layout argument. */
export function checkLayout(value: unknown): void {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'struct' || typeof (value as { view?: unknown }).view !== 'function') {
    throw new MmapTypeError('layout', 'a struct layout from @mmapkit/struct', value);
  }
}
