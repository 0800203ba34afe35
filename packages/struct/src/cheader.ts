/**
 * `toCHeader()`: the C declaration of a layout (and of every struct, union and enum it uses),
 * with `_Static_assert`s pinning every size, alignment and offset the library computed.
 */
import type { FieldMap, StructLayout } from './api.js';
import { describe, type Descriptor, type EnumDescriptor, type LayoutDescriptor, type ResolvedField } from './descriptors.js';
import { StructTypeError } from './errors.js';

function tagOf(layout: LayoutDescriptor): string {
  return `${layout.isUnion ? 'union' : 'struct'} ${layout.name}`;
}

/** The C type before the declarator, and the array suffix after it. */
function cTypeOf(descriptor: Descriptor): { prefix: string; suffix: string } {
  switch (descriptor.kind) {
    case 'int':
    case 'float':
    case 'bool':
      return { prefix: descriptor.cType, suffix: '' };
    case 'enum':
      return { prefix: descriptor.base.cType, suffix: '' };
    case 'string':
      return { prefix: 'char', suffix: `[${descriptor.length}]` };
    case 'padding':
      return { prefix: 'uint8_t', suffix: `[${descriptor.size}]` };
    case 'struct':
      return { prefix: tagOf(descriptor), suffix: '' };
    case 'array': {
      const inner = cTypeOf(descriptor.element);
      return { prefix: inner.prefix, suffix: `[${descriptor.length}]${inner.suffix}` };
    }
    case 'aligned':
      return cTypeOf(descriptor.type);
    case 'bits':
      return cTypeOf(descriptor.base);
  }
}

function innermost(descriptor: Descriptor): Descriptor {
  return descriptor.kind === 'array' ? innermost(descriptor.element) : descriptor;
}

function memberLine(field: ResolvedField, layout: LayoutDescriptor): string {
  const descriptor = field.descriptor;
  const { prefix, suffix } = cTypeOf(descriptor);
  const attributes = field.requestedAlignment !== undefined ? ` __attribute__((aligned(${field.requestedAlignment})))` : '';
  const notes: string[] = [];
  const scalar = innermost(descriptor);
  if (scalar.kind === 'enum') notes.push(`enum ${scalar.name}`);
  if (descriptor.kind === 'int' && descriptor.isAtomic) notes.push('atomic');
  const hasOwnOrder =
    (scalar.kind === 'int' || scalar.kind === 'float' || scalar.kind === 'enum') && scalar.byteOrder !== undefined;
  const bitsOrder = descriptor.kind === 'bits' && descriptor.base.kind === 'int' && descriptor.base.byteOrder !== undefined;
  if ((hasOwnOrder || bitsOrder) && field.endian !== layout.endian) {
    notes.push(`${field.endian}-endian: C cannot express a per-member byte order`);
  }
  if (descriptor.kind === 'bits') {
    notes.push(`bits ${field.bitOffset} .. ${(field.bitOffset ?? 0) + (field.bitWidth ?? 0) - 1}`);
    const comment = ` /* ${notes.join('; ')} */`;
    return `  ${prefix} ${field.name} : ${descriptor.width};${comment}`;
  }
  const comment = notes.length > 0 ? ` /* ${notes.join('; ')} */` : '';
  return `  ${prefix} ${field.name}${suffix}${attributes};${comment}`;
}

/** Collects the layouts and enums a layout depends on, dependencies first. */
function collect(
  descriptor: Descriptor,
  layouts: LayoutDescriptor[],
  enums: EnumDescriptor[],
  names: Map<string, Descriptor>,
): void {
  const claim = (name: string, owner: Descriptor): boolean => {
    const existing = names.get(name);
    if (existing === owner) return false;
    if (existing !== undefined) {
      throw new StructTypeError('ERR_STRUCT_DUPLICATE_NAME', `layout uses two different types named ${JSON.stringify(name)}; C needs distinct tags`);
    }
    names.set(name, owner);
    return true;
  };
  switch (descriptor.kind) {
    case 'struct':
      if (names.get(descriptor.name) === descriptor) return;
      for (const field of descriptor.fields) collect(field.descriptor, layouts, enums, names);
      if (claim(descriptor.name, descriptor)) layouts.push(descriptor);
      return;
    case 'array':
      collect(descriptor.element, layouts, enums, names);
      return;
    case 'aligned':
      collect(descriptor.type, layouts, enums, names);
      return;
    case 'enum':
      if (claim(`enum ${descriptor.name}`, descriptor)) enums.push(descriptor);
      return;
    default:
      return;
  }
}

function declaration(layout: LayoutDescriptor): string {
  const attributes: string[] = [];
  if (layout.packed) attributes.push('packed');
  if (layout.requestedAlignment !== undefined) attributes.push(`aligned(${layout.requestedAlignment})`);
  if (layout.endian === 'big') attributes.push('scalar_storage_order("big-endian")');
  const attributeText = attributes.length > 0 ? ` __attribute__((${attributes.join(', ')}))` : '';
  const tag = tagOf(layout);
  const lines = [`${tag} {`, ...layout.fields.map((field) => memberLine(field, layout)), `}${attributeText};`];
  lines.push(`_Static_assert(sizeof(${tag}) == ${layout.size}, "sizeof(${tag})");`);
  lines.push(`_Static_assert(_Alignof(${tag}) == ${layout.alignment}, "_Alignof(${tag})");`);
  for (const field of layout.fields) {
    if (field.descriptor.kind === 'bits') continue;
    lines.push(`_Static_assert(offsetof(${tag}, ${field.name}) == ${field.offset}, "offsetof(${tag}, ${field.name})");`);
  }
  return lines.join('\n');
}

/**
 * The C declaration of `layout`, preceded by every struct, union and enum it uses, each
 * followed by `_Static_assert`s on `sizeof`, `_Alignof` and every member's `offsetof`, so that
 * compiling the header proves the C compiler agrees with this library. Bitfield positions are
 * given in comments (C cannot take their offset). Enumerations are emitted as `enum` types for
 * reference, and their fields with the stored integer type. Big-endian structs use gcc's
 * `scalar_storage_order`; a per-member byte order that C cannot express is noted in a comment.
 *
 * @param layout - a layout from `struct()` or `union()`.
 * @returns C11 source (gcc or clang), ending with a newline.
 * @throws `ERR_STRUCT_INVALID_FIELD_TYPE` if `layout` is not a layout; `ERR_STRUCT_DUPLICATE_NAME` if
 * two different types it uses share a name.
 * @example
 * ```ts
 * const Point = struct('Point', { x: int32, y: int32 });
 * writeFileSync('point.h', toCHeader(Point));
 * ```
 */
export function toCHeader<F extends FieldMap>(layout: StructLayout<F>): string {
  const descriptor = describe(layout, 'layout');
  if (descriptor.kind !== 'struct') {
    throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `layout must be a struct or union layout, got a ${descriptor.kind} type`);
  }
  const layouts: LayoutDescriptor[] = [];
  const enums: EnumDescriptor[] = [];
  collect(descriptor, layouts, enums, new Map());
  const parts = ['/* Generated by @mmapkit/struct. */', '#include <stddef.h>', '#include <stdint.h>'];
  for (const enumeration of enums) {
    const members = Object.entries(enumeration.members).map(([name, value]) => `  ${name} = ${value}`);
    parts.push(`enum ${enumeration.name} {\n${members.join(',\n')}\n};`);
  }
  for (const each of layouts) parts.push(declaration(each));
  return `${parts.join('\n\n')}\n`;
}
