/**
 * Generic readers and writers of one scalar at a byte offset, used for array elements (record
 * properties get generated code instead, see `codegen.ts`).
 */
import type { Endian } from './api.js';
import { throwEnumValue, throwUnsafeRead, throwUnsafeWrite } from './checks.js';
import type { ScalarDescriptor } from './descriptors.js';
import type { Memory } from './memory.js';
import { readString, writeString } from './text.js';

/** The scalar values records can hold. */
export type ScalarValue = number | bigint | boolean | string;

/** Reads and writes one scalar of a given type and byte order. */
export interface ScalarAccessor {
  read(memory: Memory, offset: number): ScalarValue;
  write(memory: Memory, offset: number, value: ScalarValue): void;
}

const TWO_TO_32 = 4294967296;

/** Reads a 64-bit integer as a safe `number`. */
export function readInt64AsNumber(view: DataView, offset: number, littleEndian: boolean, signed: boolean, path: string): number {
  const high = signed
    ? view.getInt32(offset + (littleEndian ? 4 : 0), littleEndian)
    : view.getUint32(offset + (littleEndian ? 4 : 0), littleEndian);
  const low = view.getUint32(offset + (littleEndian ? 0 : 4), littleEndian);
  const value = high * TWO_TO_32 + low;
  if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER) {
    throwUnsafeRead(path, signed ? view.getBigInt64(offset, littleEndian) : view.getBigUint64(offset, littleEndian));
  }
  return value;
}

/** Writes a safe integer `number` into a 64-bit integer. */
export function writeInt64FromNumber(
  view: DataView,
  offset: number,
  littleEndian: boolean,
  signed: boolean,
  value: unknown,
  path: string,
): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (!signed && value < 0)) {
    throwUnsafeWrite(path, value, signed);
  }
  const high = Math.floor(value / TWO_TO_32);
  view.setUint32(offset + (littleEndian ? 0 : 4), value - high * TWO_TO_32, littleEndian);
  view.setInt32(offset + (littleEndian ? 4 : 0), high, littleEndian);
}

/** A reader/writer for one scalar element type. */
export function scalarAccessor(descriptor: ScalarDescriptor, endian: Endian, path: string): ScalarAccessor {
  const littleEndian = endian === 'little';
  switch (descriptor.kind) {
    case 'int':
      return integerAccessor(descriptor.size, descriptor.signed, descriptor.representation, littleEndian, path);
    case 'enum': {
      const base = integerAccessor(descriptor.size, descriptor.base.signed, 'number', littleEndian, path);
      return {
        read: base.read,
        write(memory, offset, value) {
          if (typeof value !== 'number' || !descriptor.values.has(value)) throwEnumValue(path, value, descriptor.members);
          base.write(memory, offset, value);
        },
      };
    }
    case 'float':
      return descriptor.size === 4
        ? {
            read: (memory, offset) => memory.view.getFloat32(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setFloat32(offset, value as number, littleEndian),
          }
        : {
            read: (memory, offset) => memory.view.getFloat64(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setFloat64(offset, value as number, littleEndian),
          };
    case 'bool':
      return {
        read: (memory, offset) => memory.view.getUint8(offset) !== 0,
        write: (memory, offset, value) => memory.view.setUint8(offset, value ? 1 : 0),
      };
    case 'string':
      return {
        read: (memory, offset) => readString(memory.bytes, offset, descriptor.length),
        write: (memory, offset, value) => writeString(memory.bytes, offset, descriptor.length, value, path),
      };
  }
}

function integerAccessor(
  size: number,
  signed: boolean,
  representation: 'number' | 'bigint',
  littleEndian: boolean,
  path: string,
): ScalarAccessor {
  switch (size) {
    case 1:
      return signed
        ? { read: (memory, offset) => memory.view.getInt8(offset), write: (memory, offset, value) => memory.view.setInt8(offset, value as number) }
        : { read: (memory, offset) => memory.view.getUint8(offset), write: (memory, offset, value) => memory.view.setUint8(offset, value as number) };
    case 2:
      return signed
        ? {
            read: (memory, offset) => memory.view.getInt16(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setInt16(offset, value as number, littleEndian),
          }
        : {
            read: (memory, offset) => memory.view.getUint16(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setUint16(offset, value as number, littleEndian),
          };
    case 4:
      return signed
        ? {
            read: (memory, offset) => memory.view.getInt32(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setInt32(offset, value as number, littleEndian),
          }
        : {
            read: (memory, offset) => memory.view.getUint32(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setUint32(offset, value as number, littleEndian),
          };
    default:
      if (representation === 'number') {
        return {
          read: (memory, offset) => readInt64AsNumber(memory.view, offset, littleEndian, signed, path),
          write: (memory, offset, value) => writeInt64FromNumber(memory.view, offset, littleEndian, signed, value, path),
        };
      }
      return signed
        ? {
            read: (memory, offset) => memory.view.getBigInt64(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setBigInt64(offset, value as bigint, littleEndian),
          }
        : {
            read: (memory, offset) => memory.view.getBigUint64(offset, littleEndian),
            write: (memory, offset, value) => memory.view.setBigUint64(offset, value as bigint, littleEndian),
          };
  }
}
