/**
 * Arrays of records: `at(index)` moves one reusable cursor (no allocation per element),
 * `get(index)` creates an independent view.
 */
import { describeValue, type LayoutDescriptor, type RecordClass, type RecordInternal } from './descriptors.js';
import type { Memory } from './memory.js';

function throwIndex(index: unknown, length: number): never {
  throw new RangeError(`index must be an integer from 0 to ${length - 1}, got ${describeValue(index)}`);
}

export class StructArrayImpl {
  /** `length * layout.size`. */
  readonly byteLength: number;
  private readonly $stride: number;
  private readonly $cursor: RecordInternal;

  constructor(
    readonly layout: LayoutDescriptor,
    private readonly $recordClass: RecordClass,
    private readonly $m: Memory,
    readonly byteOffset: number,
    readonly length: number,
  ) {
    this.$stride = layout.size;
    this.byteLength = length * layout.size;
    this.$cursor = new $recordClass($m, byteOffset);
  }

  at(index: number): RecordInternal {
    // One unsigned comparison covers negative, fractional, NaN and too-large indexes below 2^32.
    if ((index >>> 0) !== index || index >= this.length) this.$slowCheck(index);
    const cursor = this.$cursor;
    cursor.$o = this.byteOffset + index * this.$stride;
    return cursor;
  }

  get(index: number): RecordInternal {
    if ((index >>> 0) !== index || index >= this.length) this.$slowCheck(index);
    return new this.$recordClass(this.$m, this.byteOffset + index * this.$stride);
  }

  *[Symbol.iterator](): IterableIterator<RecordInternal> {
    for (let index = 0; index < this.length; index++) yield this.at(index);
  }

  /** Accepts indexes of 2^32 and more (arrays over 4 GiB), rejects everything invalid. */
  private $slowCheck(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.length) throwIndex(index, this.length);
  }
}
