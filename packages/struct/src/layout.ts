/**
 * The layout algorithm: where the x86-64 System V (and AArch64) C ABI, as implemented by gcc,
 * places each member, including bitfields, `packed` and `aligned`.
 */
import type { Endian, FieldMap } from './api.js';
import { describe, describeValue, type Descriptor, type ResolvedField } from './descriptors.js';
import { checkFieldName } from './names.js';

/** Input of `computeLayout`. */
export interface LayoutRequest {
  readonly name: string;
  readonly declaration: FieldMap;
  readonly isUnion: boolean;
  readonly packed: boolean;
  readonly requestedAlignment: number | undefined;
  readonly endian: Endian;
}

/** Output of `computeLayout`. */
export interface ComputedLayout {
  readonly fields: readonly ResolvedField[];
  readonly size: number;
  readonly alignment: number;
  readonly atomicAlignment: number;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** The byte order the scalars of a member use, given the struct's default. */
export function effectiveEndian(descriptor: Descriptor, structEndian: Endian): Endian {
  switch (descriptor.kind) {
    case 'int':
    case 'float':
    case 'enum':
      return descriptor.byteOrder ?? structEndian;
    case 'bits':
      return descriptor.base.kind === 'int' ? (descriptor.base.byteOrder ?? structEndian) : structEndian;
    case 'array':
      return effectiveEndian(descriptor.element, structEndian);
    case 'aligned':
      return effectiveEndian(descriptor.type, structEndian);
    case 'struct':
      return descriptor.endian;
    default:
      return structEndian;
  }
}

/** The largest atomic field size a member contains (0 when none). */
function atomicAlignmentOf(descriptor: Descriptor): number {
  switch (descriptor.kind) {
    case 'int':
      return descriptor.isAtomic ? descriptor.size : 0;
    case 'struct':
      return descriptor.atomicAlignment;
    case 'array':
      return atomicAlignmentOf(descriptor.element);
    default:
      return 0;
  }
}

/**
 * Places every member of a declaration.
 *
 * @throws TypeError for a bad field name or type, an atomic field that is big-endian or not
 * naturally aligned, or an empty declaration.
 */
export function computeLayout(request: LayoutRequest): ComputedLayout {
  const { name, declaration, isUnion, packed, endian } = request;
  if (typeof declaration !== 'object' || declaration === null) {
    throw new TypeError(`fields must be an object of field types, got ${describeValue(declaration)}`);
  }
  const entries = Object.entries(declaration);
  if (entries.length === 0) {
    throw new TypeError(`fields of ${name} must declare at least one field (C has no empty structs)`);
  }
  const fields: ResolvedField[] = [];
  let bitPosition = 0;
  let endBits = 0;
  let alignment = 1;
  let atomicAlignment = 0;

  for (const [fieldName, type] of entries) {
    const argumentName = `fields.${fieldName}`;
    checkFieldName(fieldName, argumentName);
    let descriptor = describe(type, argumentName);
    let requestedAlignment: number | undefined;
    if (descriptor.kind === 'aligned') {
      requestedAlignment = descriptor.requestedAlignment;
      descriptor = descriptor.type;
    }
    const fieldEndian = effectiveEndian(descriptor, endian);

    if (descriptor.kind === 'bits') {
      const unitBits = descriptor.base.alignment * 8;
      const width = descriptor.width;
      let start = isUnion ? 0 : bitPosition;
      if (!packed && Math.floor(start / unitBits) !== Math.floor((start + width - 1) / unitBits)) {
        start = roundUp(start, unitBits);
      }
      const memberAlignment = packed ? 1 : descriptor.base.alignment;
      alignment = Math.max(alignment, memberAlignment);
      fields.push({
        name: fieldName,
        type: descriptor,
        descriptor,
        offset: Math.floor(start / 8),
        size: descriptor.base.size,
        alignment: memberAlignment,
        endian: fieldEndian,
        bitOffset: start,
        bitWidth: width,
        requestedAlignment: undefined,
      });
      bitPosition = isUnion ? 0 : start + width;
      endBits = Math.max(endBits, start + width);
      continue;
    }

    const memberAlignment = packed
      ? (requestedAlignment ?? 1)
      : Math.max(descriptor.alignment, requestedAlignment ?? 1);
    const offset = isUnion ? 0 : roundUp(Math.ceil(bitPosition / 8), memberAlignment);
    alignment = Math.max(alignment, memberAlignment);

    if (descriptor.kind === 'int' && descriptor.isAtomic) {
      if (fieldEndian !== 'little') {
        throw new TypeError(
          `${name}.${fieldName} is atomic and big-endian: Atomics operate in the host byte order (little-endian) only`,
        );
      }
      if (offset % descriptor.size !== 0) {
        throw new TypeError(
          `${name}.${fieldName} is atomic but its offset ${offset} is not a multiple of its size ${descriptor.size} (a packed struct misaligns it; wrap it in aligned(type, ${descriptor.size}))`,
        );
      }
    }
    const innerAtomicAlignment = atomicAlignmentOf(descriptor);
    if (innerAtomicAlignment > 0 && offset % innerAtomicAlignment !== 0) {
      throw new TypeError(
        `${name}.${fieldName} contains atomic fields that need ${innerAtomicAlignment}-byte alignment, but it is placed at offset ${offset}`,
      );
    }
    atomicAlignment = Math.max(atomicAlignment, innerAtomicAlignment);

    fields.push({
      name: fieldName,
      type: descriptor,
      descriptor,
      offset,
      size: descriptor.size,
      alignment: memberAlignment,
      endian: fieldEndian,
      bitOffset: undefined,
      bitWidth: undefined,
      requestedAlignment,
    });
    const end = (offset + descriptor.size) * 8;
    bitPosition = isUnion ? 0 : end;
    endBits = Math.max(endBits, end);
  }

  alignment = Math.max(alignment, request.requestedAlignment ?? 1);
  const size = roundUp(Math.ceil(endBits / 8), alignment);
  return { fields, size, alignment, atomicAlignment };
}
