/**
 * Deterministic random struct declarations for the C-ABI test, kept in a neutral form so that
 * the C text and the library declaration are produced independently of each other (the C text
 * does not come from `toCHeader()`).
 */
import {
  aligned,
  array,
  bits,
  bool,
  float32,
  float64,
  int16,
  int32,
  int64,
  int8,
  padding,
  string,
  struct,
  uint16,
  uint32,
  uint64,
  uint8,
  union,
  type FieldMap,
  type FieldType,
  type StructLayout,
} from '../../src/index.js';

export type IntegerSpec = { readonly kind: 'int'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean };
export type TypeSpec =
  | IntegerSpec
  | { readonly kind: 'float'; readonly size: 4 | 8 }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly length: number }
  | { readonly kind: 'padding'; readonly size: number }
  | { readonly kind: 'array'; readonly element: TypeSpec; readonly length: number }
  | { readonly kind: 'ref'; readonly index: number }
  | { readonly kind: 'bits'; readonly base: IntegerSpec | { readonly kind: 'bool' }; readonly width: number };

export interface FieldSpec {
  readonly name: string;
  readonly type: TypeSpec;
  readonly align: number | undefined;
}

export interface StructSpec {
  readonly index: number;
  readonly name: string;
  readonly isUnion: boolean;
  readonly packed: boolean;
  readonly align: number | undefined;
  readonly endian: 'little' | 'big';
  readonly fields: readonly FieldSpec[];
  /** A generous upper bound of the size, to keep nesting from growing without limit. */
  readonly sizeBound: number;
}

/** mulberry32: a small seeded generator, so every run tests the same declarations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateDeclarations(count: number, seed: number): StructSpec[] {
  const random = seededRandom(seed);
  const integer = (maximum: number): number => Math.floor(random() * maximum);
  const pick = <T>(items: readonly T[]): T => items[integer(items.length)] as T;
  const specs: StructSpec[] = [];

  const bound = (type: TypeSpec): number => {
    switch (type.kind) {
      case 'int':
      case 'float':
        return type.size;
      case 'bool':
        return 1;
      case 'string':
        return type.length;
      case 'padding':
        return type.size;
      case 'array':
        return bound(type.element) * type.length;
      case 'ref':
        return specs[type.index]?.sizeBound ?? 0;
      case 'bits':
        return type.base.kind === 'bool' ? 1 : type.base.size;
    }
  };
  const smallStructs = (): number[] => specs.filter((spec) => spec.sizeBound <= 160).map((spec) => spec.index);
  const referenceSpec = (): TypeSpec | undefined => {
    const candidates = smallStructs();
    return candidates.length === 0 ? undefined : { kind: 'ref', index: pick(candidates) };
  };
  const integerSpec = (): IntegerSpec => ({ kind: 'int', size: pick([1, 2, 4, 8] as const), signed: random() < 0.5 });
  const scalarSpec = (): TypeSpec => {
    const roll = random();
    if (roll < 0.7) return integerSpec();
    if (roll < 0.9) return { kind: 'float', size: pick([4, 8] as const) };
    return { kind: 'bool' };
  };
  const elementSpec = (depth: number): TypeSpec => {
    const roll = random();
    if (roll < 0.55) return scalarSpec();
    if (roll < 0.8) return referenceSpec() ?? scalarSpec();
    if (roll < 0.9 || depth > 0) return { kind: 'string', length: 1 + integer(6) };
    return { kind: 'array', element: scalarSpec(), length: 1 + integer(3) };
  };
  const typeSpec = (): TypeSpec => {
    const roll = random();
    if (roll < 0.3) return integerSpec();
    if (roll < 0.36) return { kind: 'float', size: pick([4, 8] as const) };
    if (roll < 0.4) return { kind: 'bool' };
    if (roll < 0.45) return { kind: 'string', length: 1 + integer(9) };
    if (roll < 0.48) return { kind: 'padding', size: 1 + integer(5) };
    if (roll < 0.72) {
      if (random() < 0.1) return { kind: 'bits', base: { kind: 'bool' }, width: 1 };
      const base = integerSpec();
      // Small widths are the interesting ones (several per unit); full widths happen too.
      const width = random() < 0.85 ? 1 + integer(Math.min(13, base.size * 8)) : 1 + integer(base.size * 8);
      return { kind: 'bits', base, width };
    }
    if (roll < 0.85) return { kind: 'array', element: elementSpec(0), length: 1 + integer(4) };
    return referenceSpec() ?? integerSpec();
  };

  for (let index = 0; index < count; index++) {
    const fieldCount = 1 + integer(8);
    const fields: FieldSpec[] = [];
    for (let fieldIndex = 0; fieldIndex < fieldCount; fieldIndex++) {
      const type = typeSpec();
      const align = type.kind !== 'bits' && type.kind !== 'padding' && random() < 0.08 ? pick([1, 2, 4, 8, 16]) : undefined;
      fields.push({ name: `f${fieldIndex}`, type, align });
    }
    const sizeBound = fields.reduce((total, field) => total + bound(field.type) + 32, 0);
    specs.push({
      index,
      sizeBound,
      name: `S${index}`,
      isUnion: random() < 0.15,
      packed: random() < 0.22,
      align: random() < 0.1 ? pick([2, 8, 16, 32]) : undefined,
      endian: random() < 0.15 ? 'big' : 'little',
      fields,
    });
  }
  return specs;
}

const INTEGERS = {
  '1true': int8,
  '1false': uint8,
  '2true': int16,
  '2false': uint16,
  '4true': int32,
  '4false': uint32,
  '8true': int64,
  '8false': uint64,
} as const;

export function integerType(spec: IntegerSpec): FieldType {
  return INTEGERS[`${spec.size}${spec.signed}`];
}

/** The library declaration of a spec (layouts of earlier specs given). */
export function toLibraryType(spec: TypeSpec, layouts: readonly StructLayout<FieldMap>[]): FieldType {
  switch (spec.kind) {
    case 'int':
      return integerType(spec);
    case 'float':
      return spec.size === 4 ? float32 : float64;
    case 'bool':
      return bool;
    case 'string':
      return string(spec.length);
    case 'padding':
      return padding(spec.size);
    case 'array':
      return array(toLibraryType(spec.element, layouts), spec.length);
    case 'ref': {
      const layout = layouts[spec.index];
      if (layout === undefined) throw new Error(`no layout ${spec.index}`);
      return layout;
    }
    case 'bits':
      return spec.base.kind === 'bool' ? bits(bool, 1) : bits(INTEGERS[`${spec.base.size}${spec.base.signed}`], spec.width);
  }
}

export function buildLayouts(specs: readonly StructSpec[]): StructLayout<FieldMap>[] {
  const layouts: StructLayout<FieldMap>[] = [];
  for (const spec of specs) {
    const fields: Record<string, FieldType> = {};
    for (const field of spec.fields) {
      const type = toLibraryType(field.type, layouts);
      fields[field.name] = field.align === undefined ? type : aligned(type, field.align);
    }
    const options = { packed: spec.packed, endian: spec.endian, ...(spec.align === undefined ? {} : { align: spec.align }) };
    layouts.push(spec.isUnion ? union(spec.name, fields, options) : struct(spec.name, fields, options));
  }
  return layouts;
}

function cTag(spec: StructSpec): string {
  return `${spec.isUnion ? 'union' : 'struct'} ${spec.name}`;
}

function cInteger(spec: IntegerSpec): string {
  return `${spec.signed ? '' : 'u'}int${spec.size * 8}_t`;
}

/** C declarator of a member: type prefix, then name with suffixes. */
function cMember(type: TypeSpec, name: string, specs: readonly StructSpec[]): string {
  switch (type.kind) {
    case 'int':
      return `${cInteger(type)} ${name}`;
    case 'float':
      return `${type.size === 4 ? 'float' : 'double'} ${name}`;
    case 'bool':
      return `_Bool ${name}`;
    case 'string':
      return `char ${name}[${type.length}]`;
    case 'padding':
      return `uint8_t ${name}[${type.size}]`;
    case 'array':
      return cMember(type.element, `${name}[${type.length}]`, specs);
    case 'ref': {
      const target = specs[type.index];
      if (target === undefined) throw new Error(`no spec ${type.index}`);
      return `${cTag(target)} ${name}`;
    }
    case 'bits':
      return `${type.base.kind === 'bool' ? '_Bool' : cInteger(type.base)} ${name} : ${type.width}`;
  }
}

/** The C declaration of one spec, written directly from the spec. */
export function cDeclaration(spec: StructSpec, specs: readonly StructSpec[]): string {
  const lines = spec.fields.map((field) => {
    const attribute = field.align === undefined ? '' : ` __attribute__((aligned(${field.align})))`;
    return `  ${cMember(field.type, field.name, specs)}${attribute};`;
  });
  const attributes: string[] = [];
  if (spec.packed) attributes.push('packed');
  if (spec.align !== undefined) attributes.push(`aligned(${spec.align})`);
  if (spec.endian === 'big') attributes.push('scalar_storage_order("big-endian")');
  const attributeText = attributes.length > 0 ? ` __attribute__((${attributes.join(', ')}))` : '';
  return `${cTag(spec)} {\n${lines.join('\n')}\n}${attributeText};`;
}
