/**
 * Arrays of records: `at(index)` moves one reusable cursor (no allocation per element),
 * `get(index)` creates an independent view.
 */
import { checkIndex } from './checks.js';
import type { LayoutDescriptor, RecordClass, RecordInternal } from './descriptors.js';
import type { Memory } from './memory.js';

export class StructArrayImpl {
  // Fields are `declare`d and assigned once in the constructor, in a fixed order: a class field
  // declaration would first define each as `undefined`, which makes V8 store them as generic
  // tagged values and re-check them (Smi checks) on every `at()`.
  declare readonly layout: LayoutDescriptor;
  declare readonly byteOffset: number;
  declare readonly length: number;
  /** `length * layout.size`. */
  declare readonly byteLength: number;
  declare private readonly $recordClass: RecordClass;
  declare private readonly $m: Memory;
  declare private readonly $stride: number;
  declare private readonly $cursor: RecordInternal;

  constructor(layout: LayoutDescriptor, recordClass: RecordClass, memory: Memory, byteOffset: number, length: number) {
    this.layout = layout;
    this.byteOffset = byteOffset;
    this.length = length;
    this.byteLength = length * layout.size;
    this.$recordClass = recordClass;
    this.$m = memory;
    this.$stride = layout.size;
    this.$cursor = new recordClass(memory, byteOffset);
  }

  at(index: number): RecordInternal {
    // One unsigned comparison covers negative, fractional, NaN and too-large indexes below 2^32.
    if ((index >>> 0) !== index || index >= this.length) checkIndex(index, this.length);
    const cursor = this.$cursor;
    cursor.$o = this.byteOffset + index * this.$stride;
    return cursor;
  }

  get(index: number): RecordInternal {
    if ((index >>> 0) !== index || index >= this.length) checkIndex(index, this.length);
    return new this.$recordClass(this.$m, this.byteOffset + index * this.$stride);
  }

  *[Symbol.iterator](): IterableIterator<RecordInternal> {
    for (let index = 0; index < this.length; index++) yield this.at(index);
  }
}
