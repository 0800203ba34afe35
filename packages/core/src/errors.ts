/**
 * Errors are a contract: one class, `MmapError`, with a stable string `code`, plus
 * `TypeError`/`RangeError` subclasses for argument mistakes. Every code is documented in
 * this package's README.
 */

const mmapErrorMarker = Symbol.for('mmapkit.MmapError');
const argumentErrorMarker = Symbol.for('mmapkit.ArgumentError');

/** Every `MmapError` code. Each is described in `@mmapkit/core`'s README. */
export type MmapErrorCode =
  | 'ERR_MMAP_CLOSED'
  | 'ERR_MMAP_UNSUPPORTED'
  | 'ERR_MMAP_OUT_OF_RANGE'
  | 'ERR_MMAP_VIEW_TOO_LARGE'
  | 'ERR_MMAP_DETACHED'
  | 'ERR_MMAP_TRUNCATED'
  | 'ERR_MMAP_READONLY_WRITE'
  | 'ERR_MMAP_ACCESS_REVOKED'
  | 'ERR_MMAP_SYSTEM'
  | 'ERR_MMAP_EXTERNAL_BUFFERS_REFUSED'
  | 'ERR_MMAP_BACKEND_UNAVAILABLE'
  | 'ERR_MMAP_NO_BACKEND';

/** Every code of an argument error (`MmapTypeError`/`MmapRangeError`). */
export type ArgumentErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';

/** Details of an `MmapError` beyond its code and message. */
export interface MmapErrorDetails {
  /** Symbolic errno of an operating-system failure, e.g. `'ENOENT'`. */
  errno?: string;
  /** The system call that failed, e.g. `'mmap'`. */
  syscall?: string;
  /** The file involved, when known. */
  path?: string;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * The error mmapkit throws for everything that is not an argument mistake.
 *
 * @example
 * ```ts
 * try { mapping.sync(); } catch (error) {
 *   if (isMmapError(error) && error.code === 'ERR_MMAP_CLOSED') { ... }
 * }
 * ```
 */
export class MmapError extends Error {
  /** Stable machine-readable code. */
  readonly code: MmapErrorCode;
  /** Symbolic errno for operating-system failures (`ERR_MMAP_SYSTEM`), e.g. `'EACCES'`. */
  readonly errno: string | undefined;
  /** The failing system call, for operating-system failures. */
  readonly syscall: string | undefined;
  /** The file involved, when known. */
  readonly path: string | undefined;

  constructor(code: MmapErrorCode, message: string, details: MmapErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MmapError';
    this.code = code;
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.path = details.path;
    Object.defineProperty(this, mmapErrorMarker, { value: true });
  }

  /** True for an `MmapError` from any copy of this package (not only this one). */
  static isInstance(value: unknown): value is MmapError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mmapErrorMarker] === true;
  }
}

/** True for an `MmapError` from any copy of `@mmapkit/core` loaded in this process. */
export function isMmapError(value: unknown): value is MmapError {
  return MmapError.isInstance(value);
}

/**
 * An operating-system failure as an `MmapError` with code `ERR_MMAP_SYSTEM`.
 *
 * @param syscall - the call that failed, e.g. `'mmap'`
 * @param errno - its symbolic errno, e.g. `'ENOMEM'`
 * @param detail - what was being done, for the message
 */
export function systemError(syscall: string, errno: string, detail: string, path?: string): MmapError {
  const where = path === undefined ? '' : ` '${path}'`;
  return new MmapError('ERR_MMAP_SYSTEM', `${syscall}${where} failed with ${errno}: ${detail}`, {
    errno,
    syscall,
    path,
  });
}

/**
 * Converts an error thrown by `node:fs` (a Node `SystemError` with `code` and `syscall`)
 * into an `MmapError`; other values are returned unchanged.
 */
export function fromNodeError(error: unknown, path?: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const nodeError = error as { code?: unknown; syscall?: unknown; message?: unknown; path?: unknown };
  if (typeof nodeError.code !== 'string' || !/^E[A-Z0-9]+$/.test(nodeError.code)) return error;
  const syscall = typeof nodeError.syscall === 'string' ? nodeError.syscall : 'unknown';
  const errorPath = path ?? (typeof nodeError.path === 'string' ? nodeError.path : undefined);
  const result = systemError(syscall, nodeError.code, String(nodeError.message ?? ''), errorPath);
  Object.defineProperty(result, 'cause', { value: error, enumerable: false, configurable: true });
  return result;
}

/** An argument of the wrong type. Its message names the argument and the value received. */
export class MmapTypeError extends TypeError {
  readonly code: ArgumentErrorCode = 'ERR_INVALID_ARG_TYPE';
  /** Name of the offending argument, e.g. `'options.offset'`. */
  readonly argument: string;
  constructor(argument: string, expected: string, value: unknown) {
    super(`The "${argument}" argument must be ${expected}. Received ${describe(value)}`);
    this.name = 'TypeError';
    this.argument = argument;
    Object.defineProperty(this, argumentErrorMarker, { value: true });
  }
}

/** An argument of the right type but an invalid value. Its message names the argument and the value. */
export class MmapRangeError extends RangeError {
  readonly code: ArgumentErrorCode;
  /** Name of the offending argument, e.g. `'options.length'`. */
  readonly argument: string;
  constructor(argument: string, expected: string, value: unknown, code: ArgumentErrorCode = 'ERR_OUT_OF_RANGE') {
    super(`The value of "${argument}" is out of range. It must be ${expected}. Received ${describe(value)}`);
    this.name = 'RangeError';
    this.code = code;
    this.argument = argument;
    Object.defineProperty(this, argumentErrorMarker, { value: true });
  }
}

/** True for an argument error (`MmapTypeError` or `MmapRangeError`) from any copy of this package. */
export function isArgumentError(value: unknown): value is MmapTypeError | MmapRangeError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[argumentErrorMarker] === true;
}

/** A short, safe description of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
      return `type string ('${shown}')`;
    }
    case 'number':
      return `type number (${Object.is(value, -0) ? '-0' : String(value)})`;
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'boolean':
      return `type boolean (${value})`;
    case 'symbol':
      return `type symbol (${String(value)})`;
    case 'function':
      return `function ${(value as { name?: string }).name || '<anonymous>'}`;
    default: {
      const constructorName = (value as { constructor?: { name?: string } }).constructor?.name;
      return constructorName ? `an instance of ${constructorName}` : 'an object';
    }
  }
}
