/**
 * The layout algorithm: where the x86-64 System V (and AArch64) C ABI, as implemented by gcc,
 * places each member, including bitfields, `packed` and `aligned`.
 */
import type { Endian, FieldMap } from './api.js';
import { checkFieldName, describeValue } from './checks.js';
import { describe, type BitfieldDescriptor, type Descriptor, type ResolvedField } from './descriptors.js';
import { StructTypeError } from './errors.js';

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

/** A member as declared, interpreted: its descriptor without `aligned()`, and its byte order. */
interface DeclaredMember {
  readonly name: string;
  readonly descriptor: Descriptor;
  readonly requestedAlignment: number | undefined;
  readonly endian: Endian;
}

/** Where placement stands after the members placed so far. */
interface Placement {
  readonly fields: ResolvedField[];
  /** Where the next member may start, in bits (always 0 in a union). */
  bitPosition: number;
  /** The end of the furthest member, in bits. */
  endBits: number;
  alignment: number;
  atomicAlignment: number;
}

/**
 * Places every member of a declaration, in four stages: check the declaration, interpret each
 * member, place it (bitfields by gcc's storage-unit rule, other members at their alignment), and
 * round the size up to the alignment.
 *
 * @throws `ERR_STRUCT_INVALID_DECLARATION` for a declaration that is not an object or is empty;
 * `ERR_STRUCT_INVALID_NAME` / `ERR_STRUCT_INVALID_FIELD_TYPE` for a bad field name or type;
 * `ERR_STRUCT_INVALID_ATOMIC` for an atomic field that is big-endian or not naturally aligned.
 */
export function computeLayout(request: LayoutRequest): ComputedLayout {
  const entries = declaredEntries(request.name, request.declaration);
  const placement: Placement = { fields: [], bitPosition: 0, endBits: 0, alignment: 1, atomicAlignment: 0 };
  for (const [fieldName, type] of entries) {
    const member = interpretMember(fieldName, type, request.endian);
    if (member.descriptor.kind === 'bits') placeBitfield(placement, member, member.descriptor, request);
    else placeMember(placement, member, request);
  }
  const alignment = Math.max(placement.alignment, request.requestedAlignment ?? 1);
  const size = roundUp(Math.ceil(placement.endBits / 8), alignment);
  return { fields: placement.fields, size, alignment, atomicAlignment: placement.atomicAlignment };
}

/** Stage 1: the declaration is an object with at least one member. */
function declaredEntries(name: string, declaration: unknown): [string, unknown][] {
  if (typeof declaration !== 'object' || declaration === null) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_DECLARATION',
      `fields must be an object of field types, got ${describeValue(declaration)}`,
    );
  }
  const entries = Object.entries(declaration);
  if (entries.length === 0) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_DECLARATION',
      `fields of ${name} must declare at least one field (C has no empty structs)`,
    );
  }
  return entries;
}

/** Stage 2: a checked name, the descriptor with any `aligned()` unwrapped, the byte order. */
function interpretMember(fieldName: string, type: unknown, structEndian: Endian): DeclaredMember {
  const argumentName = `fields.${fieldName}`;
  checkFieldName(fieldName, argumentName);
  let descriptor = describe(type as FieldMap[string], argumentName);
  let requestedAlignment: number | undefined;
  if (descriptor.kind === 'aligned') {
    requestedAlignment = descriptor.requestedAlignment;
    descriptor = descriptor.type;
  }
  return { name: fieldName, descriptor, requestedAlignment, endian: effectiveEndian(descriptor, structEndian) };
}

/** Stage 3a: a bitfield never straddles a storage unit of its type unless the struct is packed. */
function placeBitfield(placement: Placement, member: DeclaredMember, descriptor: BitfieldDescriptor, request: LayoutRequest): void {
  const { isUnion, packed } = request;
  const unitBits = descriptor.base.alignment * 8;
  const width = descriptor.width;
  let start = isUnion ? 0 : placement.bitPosition;
  if (!packed && Math.floor(start / unitBits) !== Math.floor((start + width - 1) / unitBits)) {
    start = roundUp(start, unitBits);
  }
  const memberAlignment = packed ? 1 : descriptor.base.alignment;
  placement.alignment = Math.max(placement.alignment, memberAlignment);
  placement.fields.push({
    name: member.name,
    type: descriptor,
    descriptor,
    offset: Math.floor(start / 8),
    size: descriptor.base.size,
    alignment: memberAlignment,
    endian: member.endian,
    bitOffset: start,
    bitWidth: width,
    requestedAlignment: undefined,
  });
  placement.bitPosition = isUnion ? 0 : start + width;
  placement.endBits = Math.max(placement.endBits, start + width);
}

/** Stage 3b: any other member starts at the next multiple of its alignment. */
function placeMember(placement: Placement, member: DeclaredMember, request: LayoutRequest): void {
  const { isUnion, packed } = request;
  const { descriptor, requestedAlignment } = member;
  const memberAlignment = packed
    ? (requestedAlignment ?? 1)
    : Math.max(descriptor.alignment, requestedAlignment ?? 1);
  const offset = isUnion ? 0 : roundUp(Math.ceil(placement.bitPosition / 8), memberAlignment);
  placement.alignment = Math.max(placement.alignment, memberAlignment);
  placement.atomicAlignment = Math.max(placement.atomicAlignment, checkAtomicPlacement(request.name, member, offset));
  placement.fields.push({
    name: member.name,
    type: descriptor,
    descriptor,
    offset,
    size: descriptor.size,
    alignment: memberAlignment,
    endian: member.endian,
    bitOffset: undefined,
    bitWidth: undefined,
    requestedAlignment,
  });
  const end = (offset + descriptor.size) * 8;
  placement.bitPosition = isUnion ? 0 : end;
  placement.endBits = Math.max(placement.endBits, end);
}

/**
 * Atomics reach a field only in the host byte order and at a multiple of its size; returns the
 * atomic alignment the member needs (0 when it holds no atomic field).
 */
function checkAtomicPlacement(structName: string, member: DeclaredMember, offset: number): number {
  const { descriptor } = member;
  if (descriptor.kind === 'int' && descriptor.isAtomic) {
    if (member.endian !== 'little') {
      throw new StructTypeError(
        'ERR_STRUCT_INVALID_ATOMIC',
        `${structName}.${member.name} is atomic and big-endian: Atomics operate in the host byte order (little-endian) only`,
      );
    }
    if (offset % descriptor.size !== 0) {
      throw new StructTypeError(
        'ERR_STRUCT_INVALID_ATOMIC',
        `${structName}.${member.name} is atomic but its offset ${offset} is not a multiple of its size ${descriptor.size} (a packed struct misaligns it; wrap it in aligned(type, ${descriptor.size}))`,
      );
    }
  }
  const innerAtomicAlignment = atomicAlignmentOf(descriptor);
  if (innerAtomicAlignment > 0 && offset % innerAtomicAlignment !== 0) {
    throw new StructTypeError(
      'ERR_STRUCT_INVALID_ATOMIC',
      `${structName}.${member.name} contains atomic fields that need ${innerAtomicAlignment}-byte alignment, but it is placed at offset ${offset}`,
    );
  }
  return innerAtomicAlignment;
}
