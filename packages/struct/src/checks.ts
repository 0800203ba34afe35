/**
 * Every argument check of the package and the one message helper, `describeValue`, so that the
 * same mistake reads the same wherever it is made. A leaf module: it imports only the error
 * classes and public types.
 */
import type { Endian } from './api.js';
import { StructRangeError, StructTypeError } from './errors.js';

/** A short printable form of any value, for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  const constructorName = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === 'string' ? `a ${constructorName}` : 'an object';
}

// Names: struct, enum and field names must be valid C identifiers that are neither C keywords
// nor names that would collide with JavaScript object machinery on a record.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum',
  'extern', 'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return',
  'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void',
  'volatile', 'while', '_Alignas', '_Alignof', '_Atomic', '_Bool', '_Complex', '_Generic',
  '_Imaginary', '_Noreturn', '_Static_assert', '_Thread_local', 'bool', 'true', 'false',
  'alignas', 'alignof', 'static_assert', 'thread_local', 'typeof', 'asm', 'offsetof', 'NULL',
]);

const JAVASCRIPT_RESERVED = new Set([
  'constructor', 'prototype', '__proto__', 'toJSON', 'toString', 'valueOf', 'toLocaleString',
  'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', '__defineGetter__',
  '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'then',
]);

/** Throws `ERR_STRUCT_INVALID_NAME` unless `name` is a C identifier and not a C keyword. */
export function checkIdentifier(name: unknown, argumentName: string): asserts name is string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_NAME',
      `${argumentName} must be a C identifier ([A-Za-z_][A-Za-z0-9_]*), got ${describeValue(name)}`,
    );
  }
  if (C_KEYWORDS.has(name)) {
    throw new StructTypeError('ERR_STRUCT_INVALID_NAME', `${argumentName} must not be a C keyword, got ${describeValue(name)}`);
  }
}

/** Like `checkIdentifier`, and also rejects names that records reserve. */
export function checkFieldName(name: string, argumentName: string): void {
  checkIdentifier(name, argumentName);
  if (JAVASCRIPT_RESERVED.has(name)) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_NAME',
      `${argumentName} must not be ${describeValue(name)}: records reserve that name`,
    );
  }
}

// Numbers and byte orders.

/** Throws `ERR_STRUCT_INVALID_ENDIAN` unless `endian` is `'little'` or `'big'`. */
export function checkEndian(endian: unknown, argumentName: string): asserts endian is Endian {
  if (endian !== 'little' && endian !== 'big') {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_ENDIAN',
      `${argumentName} must be 'little' or 'big', got ${describeValue(endian)}`,
    );
  }
}

/** Throws `ERR_STRUCT_ARGUMENT_OUT_OF_RANGE` unless `value` is an integer from 1 to 2^31 - 1. */
export function checkCount(value: unknown, argumentName: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new StructRangeError(
      'ERR_STRUCT_ARGUMENT_OUT_OF_RANGE',
      `${argumentName} must be an integer from 1 to 2147483647, got ${describeValue(value)}`,
    );
  }
}

/** Throws `ERR_STRUCT_ARGUMENT_OUT_OF_RANGE` unless `value` is a power of two from 1 to 4096. */
export function checkPowerOfTwo(value: unknown, argumentName: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 4096 || (value & (value - 1)) !== 0) {
    throw new StructRangeError(
      'ERR_STRUCT_ARGUMENT_OUT_OF_RANGE',
      `${argumentName} must be a power of two from 1 to 4096, got ${describeValue(value)}`,
    );
  }
}

/** Throws `ERR_STRUCT_ARGUMENT_OUT_OF_RANGE` unless `value` is a non-negative safe integer. */
export function checkOffset(value: unknown, argumentName: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StructRangeError(
      'ERR_STRUCT_ARGUMENT_OUT_OF_RANGE',
      `${argumentName} must be a non-negative integer, got ${describeValue(value)}`,
    );
  }
}

/** Throws `ERR_STRUCT_INVALID_OPTION` unless `options` is an object. */
export function checkOptionsObject(options: unknown): asserts options is object {
  if (typeof options !== 'object' || options === null) {
    throw new StructTypeError('ERR_STRUCT_INVALID_OPTION', `options must be an object, got ${describeValue(options)}`);
  }
}

// Indexes and written values (also called by generated record code).

/**
 * Throws `ERR_STRUCT_INDEX_OUT_OF_RANGE` unless `index` is an integer from 0 to `length - 1`.
 * Callers run their own one-comparison fast check first and call this only when it fails.
 */
export function checkIndex(index: unknown, length: number): void {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= length) {
    throw new StructRangeError(
      'ERR_STRUCT_INDEX_OUT_OF_RANGE',
      `index must be an integer from 0 to ${length - 1}, got ${describeValue(index)}`,
    );
  }
}

/** Throws unless `values` is array-like with at most `length` elements. */
export function checkArrayValues(values: unknown, length: number, path: string): asserts values is ArrayLike<unknown> {
  if (typeof values !== 'object' || values === null || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_VALUE',
      `${path} must be given an array-like of values, got ${describeValue(values)}`,
    );
  }
  if ((values as ArrayLike<unknown>).length > length) {
    throw new StructRangeError(
      'ERR_STRUCT_VALUE_OUT_OF_RANGE',
      `${path} holds ${length} elements, got ${(values as ArrayLike<unknown>).length} values`,
    );
  }
}

/** Throws the error of a 64-bit value that a `number` cannot hold exactly. */
export function throwUnsafeRead(path: string, value: bigint): never {
  throw new StructRangeError(
    'ERR_STRUCT_UNSAFE_INTEGER',
    `${path} holds ${value}, beyond Number.MAX_SAFE_INTEGER: declare it without asNumber() to read it as a bigint`,
  );
}

/** Throws the error of a value that a 64-bit `asNumber()` field cannot take. */
export function throwUnsafeWrite(path: string, value: unknown, signed: boolean): never {
  const range = signed ? '-(2^53 - 1) to 2^53 - 1' : '0 to 2^53 - 1';
  throw new StructRangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE', `${path} must be an integer from ${range}, got ${describeValue(value)}`);
}

/** Throws the error of a value that is not a member of an enumeration. */
export function throwEnumValue(path: string, value: unknown, members: Readonly<Record<string, number>>): never {
  const list = Object.entries(members)
    .map(([name, member]) => `${name} = ${member}`)
    .join(', ');
  throw new StructRangeError('ERR_STRUCT_VALUE_OUT_OF_RANGE', `${path} must be one of ${list}; got ${describeValue(value)}`);
}

/** Throws unless `value` can be stored in a C string field (a string without NUL). */
export function checkStringValue(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new StructTypeError('ERR_STRUCT_INVALID_VALUE', `${path} must be a string, got ${describeValue(value)}`);
  }
  if (value.includes('\0')) {
    throw new StructTypeError('ERR_STRUCT_INVALID_VALUE', `${path} must not contain a NUL character (it ends the string in C)`);
  }
}
