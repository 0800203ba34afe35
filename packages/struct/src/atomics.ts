/**
 * Atomic operations on `.atomic()` fields, through `Atomics` on integer typed arrays laid over
 * the whole underlying buffer (so an absolute byte address divided by the field size is the
 * index). Works on `SharedArrayBuffer` (other threads, other processes through a mapping) and on
 * plain `ArrayBuffer` (where it is simply a read-modify-write without tearing).
 */
import { describeValue, throwUnsafeRead, throwUnsafeWrite } from './checks.js';
import type { IntegerDescriptor, LayoutDescriptor, RecordInternal } from './descriptors.js';
import { StructTypeError } from './errors.js';
import type { Memory } from './memory.js';

type AtomicArray = Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
type AtomicValue = number | bigint;

/** Typed `Atomics` calls over the union of the arrays we use. */
interface AtomicsOperations {
  load(array: AtomicArray, index: number): AtomicValue;
  store(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  add(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  sub(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  and(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  or(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  xor(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  exchange(array: AtomicArray, index: number, value: AtomicValue): AtomicValue;
  compareExchange(array: AtomicArray, index: number, expected: AtomicValue, replacement: AtomicValue): AtomicValue;
}
const operations = Atomics as unknown as AtomicsOperations;

export class AtomicFieldImpl {
  private readonly $size: number;
  private readonly $arrayOf: (memory: Memory) => AtomicArray;
  private readonly $asNumber: boolean;
  private readonly $signed: boolean;
  private readonly $path: string;

  constructor(
    private readonly $layout: LayoutDescriptor,
    readonly name: string,
    readonly offset: number,
    descriptor: IntegerDescriptor,
  ) {
    this.$size = descriptor.size;
    this.$signed = descriptor.signed;
    this.$asNumber = descriptor.size === 8 && descriptor.representation === 'number';
    this.$path = `${$layout.name}.${name}`;
    if (descriptor.size === 4) {
      this.$arrayOf = descriptor.signed ? (memory) => memory.int32() : (memory) => memory.uint32();
    } else {
      this.$arrayOf = descriptor.signed ? (memory) => memory.int64() : (memory) => memory.uint64();
    }
  }

  private $index(record: RecordInternal): number {
    if (typeof record !== 'object' || record === null || record.$layout !== this.$layout) {
      throw new StructTypeError('ERR_STRUCT_NOT_A_RECORD', `record must be a record of ${this.$layout.name}, got ${describeValue(record)}`);
    }
    return (record.$m.byteOffset + record.$o + this.offset) / this.$size;
  }

  private $input(value: AtomicValue): AtomicValue {
    if (!this.$asNumber) return value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || (!this.$signed && value < 0)) {
      throwUnsafeWrite(this.$path, value, this.$signed);
    }
    return BigInt(value);
  }

  private $output(value: AtomicValue): AtomicValue {
    if (!this.$asNumber) return value;
    const big = value as bigint;
    if (big > 9007199254740991n || big < -9007199254740991n) throwUnsafeRead(this.$path, big);
    return Number(big);
  }

  load(record: RecordInternal): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.load(this.$arrayOf(record.$m), index));
  }

  store(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    operations.store(this.$arrayOf(record.$m), index, this.$input(value));
    return value;
  }

  add(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.add(this.$arrayOf(record.$m), index, this.$input(value)));
  }

  sub(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.sub(this.$arrayOf(record.$m), index, this.$input(value)));
  }

  and(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.and(this.$arrayOf(record.$m), index, this.$input(value)));
  }

  or(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.or(this.$arrayOf(record.$m), index, this.$input(value)));
  }

  xor(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.xor(this.$arrayOf(record.$m), index, this.$input(value)));
  }

  exchange(record: RecordInternal, value: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(operations.exchange(this.$arrayOf(record.$m), index, this.$input(value)));
  }

  compareExchange(record: RecordInternal, expected: AtomicValue, replacement: AtomicValue): AtomicValue {
    const index = this.$index(record);
    return this.$output(
      operations.compareExchange(this.$arrayOf(record.$m), index, this.$input(expected), this.$input(replacement)),
    );
  }
}
