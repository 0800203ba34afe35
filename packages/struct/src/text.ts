/**
 * Fixed-length UTF-8 strings (`char name[length]`), NUL-padded.
 */
import { checkStringValue } from './checks.js';
import { StructRangeError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Reads up to `length` bytes at `offset`, stopping at the first NUL. */
export function readString(bytes: Uint8Array, offset: number, length: number): string {
  const limit = offset + length;
  let end = offset;
  while (end < limit && bytes[end] !== 0) end++;
  if (end === offset) return '';
  return decoder.decode(bytes.subarray(offset, end));
}

/**
 * Writes `value` as UTF-8 at `offset` and fills the rest of the `length` bytes with NUL. Nothing
 * is written when it throws.
 *
 * @throws `ERR_STRUCT_INVALID_VALUE` if `value` is not a string or contains NUL;
 * `ERR_STRUCT_VALUE_OUT_OF_RANGE` if it needs more than `length` bytes.
 */
export function writeString(bytes: Uint8Array, offset: number, length: number, value: unknown, path: string): void {
  checkStringValue(value, path);
  const target = bytes.subarray(offset, offset + length);
  if (value.length * 3 <= length) {
    const { written } = encoder.encodeInto(value, target);
    target.fill(0, written);
    return;
  }
  const encoded = encoder.encode(value);
  if (encoded.length > length) {
    throw new StructRangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE', `${path} holds at most ${length} bytes of UTF-8, got ${encoded.length} bytes`);
  }
  target.set(encoded);
  target.fill(0, encoded.length);
}
