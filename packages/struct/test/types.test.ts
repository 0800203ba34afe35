import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function compile(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', fileURLToPath(new URL(project, import.meta.url))], {
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('record types are inferred from the declaration', () => {
  test('reads have the field types; wrong types, unknown fields and misuse fail to compile (every @ts-expect-error is used)', () => {
    const { status, output } = compile('./types/tsconfig.json');
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('a file assigning wrong types and unknown fields does not compile, with one error per mistake', () => {
    const { status, output } = compile('./types/tsconfig.invalid.json');
    expect(status).not.toBe(0);
    expect(output).toMatch(/invalid\.ts\(6,1\): error TS2322: Type 'string' is not assignable to type 'number'/);
    expect(output).toMatch(/invalid\.ts\(7,1\): error TS2322: Type 'number' is not assignable to type 'string'/);
    expect(output).toMatch(/invalid\.ts\(8,7\): error TS2339: Property 'z' does not exist/);
    expect(output.match(/error TS/g)).toHaveLength(3);
  });
});
