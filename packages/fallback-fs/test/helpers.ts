import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh temporary directory, removed by the returned `remove()`. */
export function temporaryDirectory(): { path: string; file: (name: string) => string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'mmapkit-fallback-fs-'));
  return { path, file: (name) => join(path, name), remove: () => rmSync(path, { recursive: true, force: true }) };
}

export { seededBytes } from '@mmapkit/conformance/cases';

/** Writes `bytes` to a new file at `path`. */
export function writeFile(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes);
}

/** This process's I/O counters from `/proc/self/io`: bytes passed to read and write calls. */
export function ioCounters(): { readBytes: number; writtenBytes: number } {
  const text = readFileSync('/proc/self/io', 'latin1');
  const value = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { readBytes: value('rchar'), writtenBytes: value('wchar') };
}

/** True where `/proc/self/io` exists (Linux). */
export const hasIoCounters = ((): boolean => {
  try {
    return Number.isFinite(ioCounters().readBytes);
  } catch {
    return false;
  }
})();

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs an ES module script in a separate Node process, from this package's directory so
 * that `@mmapkit/core` and `@mmapkit/fallback-fs` (the built `dist`) resolve. Returns
 * its standard output.
 */
export function runInChildProcess(script: string, ...args: string[]): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script, ...args], { cwd: packageRoot, encoding: 'utf8' });
}
