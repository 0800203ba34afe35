/**
 * Errors are a contract: every error this package throws is a `StructTypeError` or a
 * `StructRangeError` (subclasses of `TypeError` and `RangeError`) with a stable string `code`.
 * The shape is `@mmapkit/core`'s argument errors' (a `code`, a `Symbol.for` marker so that
 * `isStructError` works across duplicate package copies); this package has no dependency, so it
 * keeps its own classes. Every code is described in this package's README.
 */

const structErrorMarker = Symbol.for('mmapkit.StructError');

/** The codes of `StructTypeError`: a value of the wrong kind. */
export const structTypeErrorCodes = [
  'ERR_STRUCT_INVALID_NAME',
  'ERR_STRUCT_INVALID_DECLARATION',
  'ERR_STRUCT_INVALID_FIELD_TYPE',
  'ERR_STRUCT_INVALID_OPTION',
  'ERR_STRUCT_INVALID_ENDIAN',
  'ERR_STRUCT_INVALID_ATOMIC',
  'ERR_STRUCT_DUPLICATE_NAME',
  'ERR_STRUCT_UNKNOWN_FIELD',
  'ERR_STRUCT_NOT_ATOMIC',
  'ERR_STRUCT_INVALID_SOURCE',
  'ERR_STRUCT_DETACHED',
  'ERR_STRUCT_NOT_A_RECORD',
  'ERR_STRUCT_INVALID_VALUE',
  'ERR_STRUCT_NO_TYPED_ARRAY',
] as const;

/** The codes of `StructRangeError`: a number or a size that does not fit. */
export const structRangeErrorCodes = [
  'ERR_STRUCT_ARGUMENT_OUT_OF_RANGE',
  'ERR_STRUCT_OUT_OF_BOUNDS',
  'ERR_STRUCT_INDEX_OUT_OF_RANGE',
  'ERR_STRUCT_MISALIGNED_OFFSET',
  'ERR_STRUCT_VALUE_OUT_OF_RANGE',
  'ERR_STRUCT_UNSAFE_INTEGER',
  'ERR_STRUCT_TYPED_ARRAY_NEEDS_COPY',
] as const;

/** A code of `StructTypeError`. */
export type StructTypeErrorCode = (typeof structTypeErrorCodes)[number];
/** A code of `StructRangeError`. */
export type StructRangeErrorCode = (typeof structRangeErrorCodes)[number];
/** Every code this package throws. Each is described in `@mmapkit/struct`'s README. */
export type StructErrorCode = StructTypeErrorCode | StructRangeErrorCode;

/**
 * A value of the wrong kind: a bad name, field type, option, source or written value.
 *
 * @example
 * ```ts
 * try { struct('not valid', { x: uint8 }); } catch (error) {
 *   if (isStructError(error) && error.code === 'ERR_STRUCT_INVALID_NAME') { ... }
 * }
 * ```
 */
export class StructTypeError extends TypeError {
  /** Stable machine-readable code. */
  readonly code: StructTypeErrorCode;
  constructor(code: StructTypeErrorCode, message: string) {
    super(message);
    this.name = 'TypeError';
    this.code = code;
    Object.defineProperty(this, structErrorMarker, { value: true });
  }

  /** True for a `StructTypeError` from any copy of this package. */
  static isInstance(value: unknown): value is StructTypeError {
    return isStructError(value) && value instanceof TypeError;
  }
}

/**
 * A number or a size that does not fit: an offset past the source, an index, a count, a value
 * a field cannot hold.
 *
 * @example
 * ```ts
 * try { points.at(-1); } catch (error) {
 *   if (isStructError(error) && error.code === 'ERR_STRUCT_INDEX_OUT_OF_RANGE') { ... }
 * }
 * ```
 */
export class StructRangeError extends RangeError {
  /** Stable machine-readable code. */
  readonly code: StructRangeErrorCode;
  constructor(code: StructRangeErrorCode, message: string) {
    super(message);
    this.name = 'RangeError';
    this.code = code;
    Object.defineProperty(this, structErrorMarker, { value: true });
  }

  /** True for a `StructRangeError` from any copy of this package. */
  static isInstance(value: unknown): value is StructRangeError {
    return isStructError(value) && value instanceof RangeError;
  }
}

/**
 * True for an error of `@mmapkit/struct` (`StructTypeError` or `StructRangeError`) from any
 * copy of the package loaded in this process.
 *
 * @example
 * ```ts
 * if (isStructError(error)) console.log(error.code);
 * ```
 */
export function isStructError(value: unknown): value is StructTypeError | StructRangeError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[structErrorMarker] === true;
}
