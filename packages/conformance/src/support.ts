import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isArgumentError, isMmapError } from '@mmapkit/core';
import { isStructError } from '@mmapkit/struct';

/**
 * A deterministic generator (mulberry32): the same seed gives the same bytes on every
 * run and every machine, so a failure can be reproduced.
 */
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

/** `length` deterministic bytes from `seed`. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

/** A fresh temporary folder and a function that removes it. */
export function temporaryFolder(prefix = 'mmapkit-conformance-'): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Writes `bytes` to a new file in `folder` and returns its path. */
export function fileWith(folder: string, name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

/** The error a call is expected to throw. */
export interface ExpectedError {
  /** `'TypeError'`, `'RangeError'` or `'MmapError'`. */
  readonly name: 'TypeError' | 'RangeError' | 'MmapError';
  readonly code: string;
  /** For `ERR_MMAP_SYSTEM`: the symbolic errno. */
  readonly errno?: string;
}

/** Describes how `error` differs from `expected`, or returns `undefined` when it matches. */
export function errorMismatch(error: unknown, expected: ExpectedError): string | undefined {
  if (!(error instanceof Error)) return `threw a non-error: ${String(error)}`;
  const actual = error as Error & { code?: unknown; errno?: unknown };
  const isExpectedKind =
    expected.name === 'MmapError' ? isMmapError(error) : (isArgumentError(error) || isStructError(error)) && error.name === expected.name;
  if (!isExpectedKind) return `threw ${error.name} (${String(actual.code)}): ${error.message}`;
  if (actual.code !== expected.code) return `code ${String(actual.code)} instead of ${expected.code}: ${error.message}`;
  if (expected.errno !== undefined && actual.errno !== expected.errno) return `errno ${String(actual.errno)} instead of ${expected.errno}: ${error.message}`;
  return undefined;
}

/** Runs `action` and returns how its error differs from `expected` ('did not throw' if it did not). */
export function mismatchOf(action: () => unknown, expected: ExpectedError): string | undefined {
  try {
    action();
  } catch (error) {
    return errorMismatch(error, expected);
  }
  return 'did not throw';
}

/** One step a child process performs on its own mapping of a file. */
export type ChildStep =
  | { readonly op: 'read'; readonly offset: number; readonly length: number }
  | { readonly op: 'write'; readonly offset: number; readonly bytes: number[] }
  | { readonly op: 'sync' }
  | { readonly op: 'refresh' };

/** What the child process reports: the bytes of each `read` step, in order. */
export interface ChildResult {
  readonly reads: number[][];
}

const childScript = fileURLToPath(new URL('./child.js', import.meta.url));

/**
 * Maps `path` read-write shared in a new Node process with the backend loaded from
 * `moduleSpecifier`, performs `steps`, and returns what it read. Rejects with the child's
 * stderr when it fails or crashes.
 */
export function runChild(moduleSpecifier: string, path: string, steps: readonly ChildStep[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, moduleSpecifier, path, JSON.stringify(steps)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`child process failed (exit ${String(code)}, signal ${String(signal)}): ${errors}`));
        return;
      }
      try {
        resolve(JSON.parse(output) as ChildResult);
      } catch {
        reject(new Error(`child process printed no result: ${output} ${errors}`));
      }
    });
  });
}

/** Runs a script with `node` and the given flags; resolves with its exit status and output. */
export function runNodeScript(flags: readonly string[], source: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('.', import.meta.url)) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
