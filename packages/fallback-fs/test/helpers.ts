import { readFileSync, writeFileSync } from 'node:fs';
import { runNodeScript } from '@mmapkit/conformance/cases';

export { seededBytes, temporaryFolder } from '@mmapkit/conformance/cases';

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

/**
 * Runs an ES module script in a separate Node process, from this package's directory so that
 * `@mmapkit/core` and `@mmapkit/fallback-fs` (the built `dist`) resolve; rejects unless it
 * exits with status 0. Resolves with its standard output.
 */
export async function runScriptHere(script: string, ...args: string[]): Promise<string> {
  return runScriptHereWith([], script, ...args);
}

/** `runScriptHere` with node flags, e.g. `['--expose-gc']`. */
export async function runScriptHereWith(flags: readonly string[], script: string, ...args: string[]): Promise<string> {
  const run = await runNodeScript(flags, script, { cwd: new URL('..', import.meta.url), args });
  if (run.code !== 0) throw new Error(`child process failed (exit ${String(run.code)}, signal ${String(run.signal)}): ${run.stderr}`);
  return run.stdout;
}
