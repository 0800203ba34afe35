import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isArgumentError, isMmapError } from '@mmapkit/core';
import { isStructError } from '@mmapkit/struct';
import { runNode } from './processes.js';

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

/** A temporary folder: its path, the path of a file in it, and how to remove it. */
export interface TemporaryFolder {
  readonly folder: string;
  /** The path of `name` inside the folder (nothing is created). */
  readonly file: (name: string) => string;
  /** Removes the folder and everything in it. */
  readonly remove: () => void;
}

/** A fresh temporary folder under the system's temporary directory. */
export function temporaryFolder(prefix = 'mmapkit-conformance-'): TemporaryFolder {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  return { folder, file: (name) => join(folder, name), remove: () => rmSync(folder, { recursive: true, force: true }) };
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
export async function runChild(moduleSpecifier: string, path: string, steps: readonly ChildStep[]): Promise<ChildResult> {
  const run = await runNode([childScript, moduleSpecifier, path, JSON.stringify(steps)]);
  if (run.code !== 0) {
    throw new Error(`child process failed (exit ${String(run.code)}, signal ${String(run.signal)}): ${run.stderr}`);
  }
  try {
    return JSON.parse(run.stdout) as ChildResult;
  } catch {
    throw new Error(`child process printed no result: ${run.stdout} ${run.stderr}`);
  }
}
