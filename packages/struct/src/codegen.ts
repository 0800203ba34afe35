/**
 * Code generation of record classes: one class per layout whose getters and setters read and
 * write `DataView` at constant offsets, so that V8 compiles a field access to what hand-written
 * `DataView` code compiles to.
 *
 * The generated source only ever contains numbers computed here, the names of fields (checked
 * to be C identifiers) and fixed code; values that are not numbers reach it as arguments.
 */
import { arrayViewFactory } from './array-view.js';
import type { Memory } from './memory.js';
import type {
  BitfieldDescriptor,
  LayoutDescriptor,
  RecordClass,
  ResolvedField,
} from './descriptors.js';
import { throwEnumValue, throwUnsafeRead, throwUnsafeWrite } from './checks.js';
import { StructTypeError } from './errors.js';
import { readInt64AsNumber, writeInt64FromNumber } from './scalar.js';
import { readString, writeString } from './text.js';

/** What the generated code receives besides numbers: helpers and per-field values. */
interface GeneratedSupport {
  readonly helpers: Readonly<Record<string, unknown>>;
  /** Per-field values, by field index (child classes, array factories, enum members). */
  readonly perField: readonly unknown[];
}

/** Reads `byteCount` bytes at `offset` as one unsigned integer in the given byte order. */
function readContainer(bytes: Uint8Array, offset: number, byteCount: number, littleEndian: boolean): bigint {
  let value = 0n;
  for (let index = 0; index < byteCount; index++) {
    const byte = BigInt(bytes[offset + (littleEndian ? byteCount - 1 - index : index)] ?? 0);
    value = (value << 8n) | byte;
  }
  return value;
}

/** Writes the low `byteCount` bytes of `value` at `offset` in the given byte order. */
function writeContainer(bytes: Uint8Array, offset: number, byteCount: number, littleEndian: boolean, value: bigint): void {
  let rest = value;
  for (let index = 0; index < byteCount; index++) {
    bytes[offset + (littleEndian ? index : byteCount - 1 - index)] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

const HELPERS = {
  readString,
  writeString,
  readInt64AsNumber,
  writeInt64FromNumber,
  throwEnumValue,
  throwUnsafeRead,
  throwUnsafeWrite,
  readContainer,
  writeContainer,
} as const;

/** How a bitfield is read: a container of `containerSize` bytes (0: byte by byte) at `containerOffset`. */
interface BitfieldPlan {
  readonly containerOffset: number;
  readonly containerSize: number;
  readonly byteCount: number;
  readonly shift: number;
}

/**
 * Chooses the smallest 1-, 2-, 4- or 8-byte container that covers a bitfield and stays inside
 * the struct; falls back to byte-by-byte access when none fits.
 */
export function planBitfield(bitOffset: number, width: number, structSize: number, littleEndian: boolean): BitfieldPlan {
  const first = Math.floor(bitOffset / 8);
  const last = Math.floor((bitOffset + width - 1) / 8);
  const byteCount = last - first + 1;
  let containerSize = byteCount <= 1 ? 1 : byteCount <= 2 ? 2 : byteCount <= 4 ? 4 : byteCount <= 8 ? 8 : 0;
  let containerOffset = first;
  if (containerSize > 0 && containerOffset + containerSize > structSize) {
    containerOffset = structSize - containerSize;
    if (containerOffset < 0) containerSize = 0;
  }
  if (containerSize === 0) {
    containerOffset = first;
  }
  const coveredBytes = containerSize === 0 ? byteCount : containerSize;
  const shift = littleEndian ? bitOffset - containerOffset * 8 : (containerOffset + coveredBytes) * 8 - (bitOffset + width);
  return { containerOffset, containerSize, byteCount: coveredBytes, shift };
}

function littleEndianArgument(littleEndian: boolean): string {
  return littleEndian ? 'true' : 'false';
}

/** Getter and setter bodies for one field (`value` is the setter's parameter). */
interface Accessors {
  readonly getter: string;
  readonly setter: string | undefined;
  readonly constructorInit: string;
}

function integerMethod(size: number, signed: boolean): string {
  return `${signed ? 'Int' : 'Uint'}${size * 8}`;
}

function bitfieldAccessors(field: ResolvedField, descriptor: BitfieldDescriptor, structSize: number, path: string): Accessors {
  const littleEndian = field.endian === 'little';
  const width = descriptor.width;
  const bitOffset = field.bitOffset ?? 0;
  const plan = planBitfield(bitOffset, width, structSize, littleEndian);
  const base = descriptor.base;
  const signed = base.kind === 'int' && base.signed;
  const valueKind: 'boolean' | 'bigint' | 'number' =
    base.kind === 'bool' ? 'boolean' : base.size === 8 && base.representation === 'bigint' ? 'bigint' : 'number';
  const is64Number = base.kind === 'int' && base.size === 8 && valueKind === 'number';
  const offset = `this.$o + ${plan.containerOffset}`;
  const le = littleEndianArgument(littleEndian);
  const { shift } = plan;

  if (plan.containerSize !== 0 && plan.containerSize <= 4) {
    const method = `Uint${plan.containerSize * 8}`;
    const readCall = plan.containerSize === 1 ? `@VIEW@.getUint8(${offset})` : `@VIEW@.get${method}(${offset}, ${le})`;
    let raw: string;
    if (valueKind === 'boolean') raw = `((${readCall} >>> ${shift}) & 1) !== 0`;
    else if (signed) raw = `(${readCall} << ${32 - shift - width}) >> ${32 - width}`;
    else if (width === 32) raw = `${readCall}`;
    else raw = `(${readCall} >>> ${shift}) & ${2 ** width - 1}`;
    const getter = valueKind === 'bigint' ? `return BigInt(${raw});` : `return ${raw};`;
    const mask = (2 ** width - 1) * 2 ** shift;
    const input =
      valueKind === 'boolean' ? '(value ? 1 : 0)' : valueKind === 'bigint' ? `Number(BigInt.asUintN(${width}, value))` : 'value';
    const writeCall = (expression: string): string =>
      plan.containerSize === 1
        ? `@VIEW@.setUint8(${offset}, ${expression});`
        : `@VIEW@.set${method}(${offset}, ${expression}, ${le});`;
    const setter =
      width === 32
        ? writeCall(`${input} >>> 0`)
        : `const current = ${readCall}; ${writeCall(`((current & ${~mask}) | ((${input} << ${shift}) & ${mask})) >>> 0`)}`;
    return { getter, setter, constructorInit: '' };
  }

  const readContainerCode =
    plan.containerSize === 8
      ? `@VIEW@.getBigUint64(${offset}, ${le})`
      : `readContainer(this.$m.bytes, ${offset}, ${plan.byteCount}, ${le})`;
  const writeContainerCode = (expression: string): string =>
    plan.containerSize === 8
      ? `@VIEW@.setBigUint64(${offset}, ${expression}, ${le});`
      : `writeContainer(this.$m.bytes, ${offset}, ${plan.byteCount}, ${le}, ${expression});`;
  const extract = `BigInt.as${signed ? 'Int' : 'Uint'}N(${width}, ${readContainerCode} >> ${shift}n)`;
  let getter: string;
  if (valueKind === 'bigint') getter = `return ${extract};`;
  else if (valueKind === 'boolean') getter = `return ${extract} !== 0n;`;
  else if (width > 53) {
    getter = `const field = ${extract}; if (field > 9007199254740991n || field < -9007199254740991n) throwUnsafeRead(${JSON.stringify(path)}, field); return Number(field);`;
  } else getter = `return Number(${extract});`;
  let input: string;
  if (valueKind === 'bigint') input = 'value';
  else if (valueKind === 'boolean') input = '(value ? 1n : 0n)';
  else if (is64Number) input = 'BigInt(value)';
  else input = 'BigInt(value >>> 0)';
  const guard = is64Number
    ? `if (!Number.isSafeInteger(value)${signed ? '' : ' || value < 0'}) throwUnsafeWrite(${JSON.stringify(path)}, value, ${signed});`
    : '';
  const maskBig = ((1n << BigInt(width)) - 1n) << BigInt(shift);
  const keep = ((1n << BigInt(plan.byteCount * 8)) - 1n) ^ maskBig;
  const setter = `${guard} const current = ${readContainerCode}; ${writeContainerCode(
    `(current & ${keep}n) | ((BigInt.asUintN(${width}, ${input})) << ${shift}n)`,
  )}`;
  return { getter, setter, constructorInit: '' };
}

function fieldAccessors(field: ResolvedField, index: number, layout: LayoutDescriptor): Accessors | undefined {
  const descriptor = field.descriptor;
  const path = `${layout.name}.${field.name}`;
  const le = littleEndianArgument(field.endian === 'little');
  const offset = `this.$o + ${field.offset}`;
  switch (descriptor.kind) {
    case 'padding':
      return undefined;
    case 'int': {
      if (descriptor.size === 8) {
        if (descriptor.representation === 'number') {
          return {
            getter: `return readInt64AsNumber(@VIEW@, ${offset}, ${le}, ${descriptor.signed}, ${JSON.stringify(path)});`,
            setter: `writeInt64FromNumber(@VIEW@, ${offset}, ${le}, ${descriptor.signed}, value, ${JSON.stringify(path)});`,
            constructorInit: '',
          };
        }
        const method = descriptor.signed ? 'BigInt64' : 'BigUint64';
        return {
          getter: `return @VIEW@.get${method}(${offset}, ${le});`,
          setter: `@VIEW@.set${method}(${offset}, value, ${le});`,
          constructorInit: '',
        };
      }
      const method = integerMethod(descriptor.size, descriptor.signed);
      const endianArgument = descriptor.size === 1 ? '' : `, ${le}`;
      return {
        getter: `return @VIEW@.get${method}(${offset}${endianArgument});`,
        setter: `@VIEW@.set${method}(${offset}, value${endianArgument});`,
        constructorInit: '',
      };
    }
    case 'enum': {
      const method = integerMethod(descriptor.size, descriptor.base.signed);
      const endianArgument = descriptor.size === 1 ? '' : `, ${le}`;
      return {
        getter: `return @VIEW@.get${method}(${offset}${endianArgument});`,
        setter: `if (!enumValues${index}.has(value)) throwEnumValue(${JSON.stringify(path)}, value, enumMembers${index}); @VIEW@.set${method}(${offset}, value${endianArgument});`,
        constructorInit: '',
      };
    }
    case 'float': {
      const method = descriptor.size === 4 ? 'Float32' : 'Float64';
      return {
        getter: `return @VIEW@.get${method}(${offset}, ${le});`,
        setter: `@VIEW@.set${method}(${offset}, value, ${le});`,
        constructorInit: '',
      };
    }
    case 'bool':
      return {
        getter: `return @VIEW@.getUint8(${offset}) !== 0;`,
        setter: `@VIEW@.setUint8(${offset}, value ? 1 : 0);`,
        constructorInit: '',
      };
    case 'string':
      return {
        getter: `return readString(this.$m.bytes, ${offset}, ${descriptor.length});`,
        setter: `writeString(this.$m.bytes, ${offset}, ${descriptor.length}, value, ${JSON.stringify(path)});`,
        constructorInit: '',
      };
    case 'bits':
      return bitfieldAccessors(field, descriptor, layout.size, path);
    case 'struct':
      return {
        getter: `let child = this.$c${index}; if (child === null) child = this.$c${index} = new Child${index}(this.$m, 0); child.$o = ${offset}; return child;`,
        setter: undefined,
        constructorInit: `this.$c${index} = null;`,
      };
    case 'array':
      return {
        getter: `let child = this.$c${index}; if (child === null) child = this.$c${index} = makeArray${index}(this.$m); child.$o = ${offset}; return child;`,
        setter: undefined,
        constructorInit: `this.$c${index} = null;`,
      };
    case 'aligned':
      throw new StructTypeError('ERR_STRUCT_INVALID_FIELD_TYPE', `${path}: aligned() must be resolved before code generation`);
  }
}

/**
 * Generates the record class of a layout.
 *
 * @param layout - a layout whose fields are computed (its own `recordClass` is not needed).
 */
export interface GeneratedClasses {
  /** The class for any memory: getters read `this.$v`. */
  readonly generic: RecordClass;
  /**
   * A class bound to one memory: getters read its `DataView` from the closure, which lets V8
   * hoist the DataView checks out of loops (used for arrays, whose cursor is the hot path).
   */
  readonly specialize: (memory: Memory) => RecordClass;
}

export function generateRecordClass(layout: LayoutDescriptor): GeneratedClasses {
  const perField: unknown[] = [];
  const preamble: string[] = [];
  const members: string[] = [];
  const constructorLines: string[] = ['this.$m = memory;', 'this.$v = memory.view;', 'this.$o = offset;'];

  layout.fields.forEach((field, index) => {
    const descriptor = field.descriptor;
    if (descriptor.kind === 'struct') {
      perField[index] = descriptor.recordClass;
      preamble.push(`const Child${index} = perField[${index}];`);
    } else if (descriptor.kind === 'array') {
      perField[index] = arrayViewFactory(descriptor, layout.endian, `${layout.name}.${field.name}`);
      preamble.push(`const makeArray${index} = perField[${index}];`);
    } else if (descriptor.kind === 'enum') {
      perField[index] = descriptor;
      preamble.push(`const enumValues${index} = perField[${index}].values;`);
      preamble.push(`const enumMembers${index} = perField[${index}].members;`);
    }
    const accessors = fieldAccessors(field, index, layout);
    if (accessors === undefined) return;
    if (accessors.constructorInit !== '') constructorLines.push(accessors.constructorInit);
    members.push(`  get ${field.name}() { ${accessors.getter} }`);
    if (accessors.setter !== undefined) members.push(`  set ${field.name}(value) { ${accessors.setter} }`);
  });

  const helperNames = Object.keys(HELPERS);
  const classSource = (view: string): string =>
    [
      `class ${layout.name}Record {`,
      `  constructor(memory, offset) { ${constructorLines.join(' ')} }`,
      '  get $byteOffset() { return this.$o; }',
      ...members.map((member) => member.split('@VIEW@').join(view)),
      '}',
    ].join('\n');
  const source = [
    '"use strict";',
    `const { ${helperNames.join(', ')} } = helpers;`,
    ...preamble,
    `const generic = ${classSource('this.$v')};`,
    `const specialize = (memory) => { const view = memory.view; return ${classSource('view')}; };`,
    'return { generic, specialize };',
  ].join('\n');
  const support: GeneratedSupport = { helpers: HELPERS, perField };
  const build = new Function('helpers', 'perField', source) as (
    helpers: GeneratedSupport['helpers'],
    perFieldValues: GeneratedSupport['perField'],
  ) => GeneratedClasses;
  return build(support.helpers, support.perField);
}
