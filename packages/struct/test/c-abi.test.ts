/**
 * The layout is verified against the system C compiler, not assumed: 220 seeded random
 * declarations are written as C (by code independent of toCHeader), compiled once, and every
 * sizeof, _Alignof, offsetof, bitfield position and the bytes of written values are compared.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toCHeader, type FieldMap, type StructLayout } from '../src/index.js';
import {
  buildLayouts,
  cDeclaration,
  generateDeclarations,
  seededRandom,
  type StructSpec,
  type TypeSpec,
} from './support/random-declarations.js';

const DECLARATION_COUNT = 220;
const SEED = 0x5eed_2024;

type FieldValue = number | bigint | boolean;
/** One value to write in C and through the library, and how to write it in C. */
interface Probe {
  readonly label: string;
  readonly structIndex: number;
  readonly field: string;
  /** C lvalue suffix after `u.s.` */
  readonly lvalue: string;
  readonly cValue: string;
  readonly value: FieldValue;
  /** For arrays: element index written. */
  readonly element: number | undefined;
}

function randomBigInt(random: () => number, bitCount: number): bigint {
  const high = BigInt(Math.floor(random() * 4294967296));
  const low = BigInt(Math.floor(random() * 4294967296));
  return BigInt.asUintN(bitCount, (high << 32n) | low);
}

function integerValue(random: () => number, bitCount: number, signed: boolean): bigint {
  const raw = randomBigInt(random, bitCount);
  if (!signed) return raw;
  const value = BigInt.asIntN(bitCount, raw);
  return value === -(1n << BigInt(bitCount - 1)) && bitCount === 64 ? value + 1n : value;
}

function cLiteral(value: bigint, signed: boolean): string {
  if (!signed) return `${value}ULL`;
  return value < 0n ? `(-${-value}LL)` : `${value}LL`;
}

function scalarProbe(type: TypeSpec, random: () => number): { cValue: string; value: FieldValue } | undefined {
  switch (type.kind) {
    case 'int': {
      const value = integerValue(random, type.size * 8, type.signed);
      return { cValue: cLiteral(value, type.signed), value: type.size === 8 ? value : Number(value) };
    }
    case 'float': {
      const value = (Math.floor(random() * 4000) - 2000) / 8;
      return { cValue: value.toFixed(3), value };
    }
    case 'bool':
      return { cValue: '1', value: true };
    default:
      return undefined;
  }
}

function buildProbes(specs: readonly StructSpec[]): Probe[] {
  const random = seededRandom(SEED ^ 0xabcdef);
  const probes: Probe[] = [];
  for (const spec of specs) {
    for (const field of spec.fields) {
      const type = field.type;
      const base = { structIndex: spec.index, field: field.name, element: undefined };
      if (type.kind === 'bits') {
        probes.push({ ...base, label: 'ones', lvalue: field.name, cValue: type.base.kind === 'bool' ? '1' : '-1', value: onesValue(type) });
        if (type.base.kind === 'bool') continue;
        const value = integerValue(random, type.width, type.base.signed);
        probes.push({
          ...base,
          label: 'pattern',
          lvalue: field.name,
          cValue: cLiteral(value, type.base.signed),
          value: type.base.size === 8 ? value : Number(value),
        });
        continue;
      }
      const scalar = scalarProbe(type, random);
      if (scalar !== undefined) {
        probes.push({ ...base, label: 'value', lvalue: field.name, ...scalar });
        continue;
      }
      if (type.kind === 'array' && type.element.kind !== 'array') {
        const elementProbe = scalarProbe(type.element, random);
        if (elementProbe !== undefined) {
          const element = type.length - 1;
          probes.push({ ...base, label: 'element', lvalue: `${field.name}[${element}]`, element, ...elementProbe });
        }
      }
    }
  }
  return probes;
}

function onesValue(type: Extract<TypeSpec, { kind: 'bits' }>): FieldValue {
  if (type.base.kind === 'bool') return true;
  const ones = type.base.signed ? -1n : (1n << BigInt(type.width)) - 1n;
  return type.base.size === 8 ? ones : Number(ones);
}

function cProgram(specs: readonly StructSpec[], probes: readonly Probe[]): string {
  const lines = [
    '#include <stdio.h>',
    '#include <stdint.h>',
    '#include <stddef.h>',
    '#include <string.h>',
    'static void dump(const char *label, const unsigned char *bytes, size_t size) {',
    '  printf("%s ", label);',
    '  for (size_t index = 0; index < size; index++) printf("%02x", bytes[index]);',
    '  printf("\\n");',
    '}',
    ...specs.map((spec) => cDeclaration(spec, specs)),
    'int main(void) {',
  ];
  for (const spec of specs) {
    const tag = `${spec.isUnion ? 'union' : 'struct'} ${spec.name}`;
    lines.push(`  printf("size ${spec.index} %zu %zu\\n", sizeof(${tag}), _Alignof(${tag}));`);
    for (const field of spec.fields) {
      if (field.type.kind === 'bits') continue;
      lines.push(`  printf("offset ${spec.index} ${field.name} %zu\\n", offsetof(${tag}, ${field.name}));`);
    }
  }
  for (const probe of probes) {
    const spec = specs[probe.structIndex] as StructSpec;
    const tag = `${spec.isUnion ? 'union' : 'struct'} ${spec.name}`;
    lines.push(
      `  { union { ${tag} s; unsigned char b[sizeof(${tag})]; } u; memset(&u, 0, sizeof u); u.s.${probe.lvalue} = ${probe.cValue}; dump("${probe.label} ${probe.structIndex} ${probe.field}", u.b, sizeof u.b); }`,
    );
  }
  lines.push('  return 0;', '}');
  return lines.join('\n');
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Writes a probe through the library into a zeroed record and returns the record's bytes. */
function libraryBytes(layout: StructLayout<FieldMap>, probe: Probe): string {
  const buffer = new ArrayBuffer(layout.size);
  const record = layout.view(buffer) as unknown as Record<string, unknown>;
  if (probe.element === undefined) {
    record[probe.field] = probe.value;
  } else {
    (record[probe.field] as { set(index: number, value: FieldValue): void }).set(probe.element, probe.value);
  }
  return hex(new Uint8Array(buffer));
}

/** Bit positions set in a byte dump, in gcc's numbering for the given byte order. */
function setBits(hexBytes: string, endian: 'little' | 'big'): number[] {
  const positions: number[] = [];
  for (let byteIndex = 0; byteIndex < hexBytes.length / 2; byteIndex++) {
    const byte = Number.parseInt(hexBytes.slice(byteIndex * 2, byteIndex * 2 + 2), 16);
    for (let bit = 0; bit < 8; bit++) {
      if ((byte >> bit) & 1) positions.push(byteIndex * 8 + (endian === 'little' ? bit : 7 - bit));
    }
  }
  return positions.sort((left, right) => left - right);
}

describe(`layouts of ${DECLARATION_COUNT} random declarations match the system C compiler`, () => {
  const specs = generateDeclarations(DECLARATION_COUNT, SEED);
  const layouts = buildLayouts(specs);
  const probes = buildProbes(specs);
  const directory = mkdtempSync(join(tmpdir(), 'mmapkit-struct-abi-'));
  const sizes = new Map<number, { size: number; alignment: number }>();
  const offsets = new Map<string, number>();
  const dumps = new Map<string, string>();

  beforeAll(() => {
    const source = join(directory, 'layouts.c');
    const program = join(directory, 'layouts');
    writeFileSync(source, cProgram(specs, probes));
    execFileSync('cc', ['-std=gnu11', '-O0', '-w', '-o', program, source], { stdio: 'pipe' });
    const output = execFileSync(program, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    for (const line of output.trim().split('\n')) {
      const parts = line.split(' ');
      if (parts[0] === 'size') sizes.set(Number(parts[1]), { size: Number(parts[2]), alignment: Number(parts[3]) });
      else if (parts[0] === 'offset') offsets.set(`${parts[1]}.${parts[2]}`, Number(parts[3]));
      else dumps.set(`${parts[0]} ${parts[1]} ${parts[2]}`, parts[3] ?? '');
    }
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  test('the generated declarations cover nesting, arrays, unions, bitfields, packed, aligned and big-endian', () => {
    const kinds = new Set(specs.flatMap((spec) => spec.fields.map((field) => field.type.kind)));
    expect([...kinds].sort()).toEqual(['array', 'bits', 'bool', 'float', 'int', 'padding', 'ref', 'string']);
    expect(specs.filter((spec) => spec.isUnion).length).toBeGreaterThan(10);
    expect(specs.filter((spec) => spec.packed).length).toBeGreaterThan(20);
    expect(specs.filter((spec) => spec.endian === 'big').length).toBeGreaterThan(10);
    expect(specs.filter((spec) => spec.align !== undefined).length).toBeGreaterThan(10);
    expect(specs.some((spec) => spec.fields.some((field) => field.align !== undefined))).toBe(true);
    expect(probes.filter((probe) => probe.label === 'ones').length).toBeGreaterThan(200);
  });

  test('sizeof and _Alignof of every declaration equal gcc', () => {
    const mismatches: string[] = [];
    layouts.forEach((layout, index) => {
      const expected = sizes.get(index);
      if (expected?.size !== layout.size || expected.alignment !== layout.alignment) {
        mismatches.push(`${cDeclaration(specs[index] as StructSpec, specs)}\n  gcc ${JSON.stringify(expected)}, library ${layout.size}/${layout.alignment}`);
      }
    });
    expect(mismatches).toEqual([]);
    expect(sizes.size).toBe(DECLARATION_COUNT);
  });

  test('offsetof of every member equals gcc', () => {
    const mismatches: string[] = [];
    let compared = 0;
    layouts.forEach((layout, index) => {
      for (const field of layout.fields) {
        if (field.bitWidth !== undefined) continue;
        compared++;
        const expected = offsets.get(`${index}.${field.name}`);
        if (expected !== field.offset) mismatches.push(`S${index}.${field.name}: gcc ${expected}, library ${field.offset}`);
      }
    });
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(500);
  });

  test('every bitfield occupies the bits gcc gives it (all-ones scan against bitOffset and bitWidth)', () => {
    const mismatches: string[] = [];
    for (const probe of probes.filter((each) => each.label === 'ones')) {
      const layout = layouts[probe.structIndex] as StructLayout<FieldMap>;
      const field = layout.field(probe.field);
      const bitsInC = setBits(dumps.get(`ones ${probe.structIndex} ${probe.field}`) ?? '', field.endian);
      const offset = field.bitOffset ?? -1;
      const expected = Array.from({ length: field.bitWidth ?? 0 }, (_, bit) => offset + bit);
      if (JSON.stringify(bitsInC) !== JSON.stringify(expected)) {
        mismatches.push(`S${probe.structIndex}.${probe.field} (${field.endian}): gcc bits ${bitsInC.join(',')}, library ${offset}+${field.bitWidth}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('writing bitfields, scalars and array elements produces the same bytes as gcc (little- and big-endian)', () => {
    const mismatches: string[] = [];
    for (const probe of probes) {
      const layout = layouts[probe.structIndex] as StructLayout<FieldMap>;
      const expected = dumps.get(`${probe.label} ${probe.structIndex} ${probe.field}`);
      const actual = libraryBytes(layout, probe);
      if (expected !== actual) {
        mismatches.push(`${probe.label} S${probe.structIndex}.${probe.lvalue} = ${probe.cValue}: gcc ${expected}, library ${actual}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(probes.length).toBeGreaterThan(800);
  });

  test('toCHeader() of every declaration compiles with all of its _Static_asserts holding', () => {
    const files = layouts.map((layout, index) => {
      const file = join(directory, `header${index}.c`);
      writeFileSync(file, toCHeader(layout));
      return file;
    });
    const result = (() => {
      try {
        execFileSync('cc', ['-std=gnu11', '-fsyntax-only', '-w', ...files], { stdio: 'pipe' });
        return '';
      } catch (error) {
        return String((error as { stderr?: Buffer }).stderr ?? error);
      }
    })();
    expect(result).toBe('');
  });
});
