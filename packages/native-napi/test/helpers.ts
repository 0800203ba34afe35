import { spawn, type StdioOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Result of a fixture run in its own Node process. */
export interface FixtureRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `test/fixtures/<name>` (which imports the built `dist/`) in a new Node process, so
 * a crash is a failed assertion rather than a lost test run.
 */
export function runFixture(
  name: string,
  args: readonly string[] = [],
  options: { flags?: readonly string[]; stdio?: StdioOptions } = {},
): Promise<FixtureRun> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.flags ?? []), script, ...args], {
      stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The JSON a fixture printed on its last line; fails with its stderr when it crashed. */
export function fixtureResult<T>(run: FixtureRun): T {
  if (run.code !== 0) throw new Error(`fixture failed (exit ${String(run.code)}, signal ${String(run.signal)}):\n${run.stderr}\n${run.stdout}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}

/** A fresh temporary folder; `remove()` deletes it. */
export function temporaryFolder(): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'mmapkit-native-'));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Deterministic bytes (mulberry32) so failures reproduce. */
export function seededBytes(length: number, seed: number): Uint8Array {
  let state = seed >>> 0;
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    bytes[index] = (mixed ^ (mixed >>> 14)) >>> 24;
  }
  return bytes;
}
