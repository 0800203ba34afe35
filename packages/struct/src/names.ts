/**
 * Name rules: struct, enum and field names must be valid C identifiers that are neither C
 * keywords nor names that would collide with JavaScript object machinery on a record.
 */
import { describeValue } from './descriptors.js';

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

/** Throws a `TypeError` unless `name` is a C identifier and not a C keyword. */
export function checkIdentifier(name: unknown, argumentName: string): asserts name is string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new TypeError(`${argumentName} must be a C identifier ([A-Za-z_][A-Za-z0-9_]*), got ${describeValue(name)}`);
  }
  if (C_KEYWORDS.has(name)) {
    throw new TypeError(`${argumentName} must not be a C keyword, got ${describeValue(name)}`);
  }
}

/** Like `checkIdentifier`, and also rejects names that records reserve. */
export function checkFieldName(name: string, argumentName: string): void {
  checkIdentifier(name, argumentName);
  if (JAVASCRIPT_RESERVED.has(name)) {
    throw new TypeError(`${argumentName} must not be ${describeValue(name)}: records reserve that name`);
  }
}
