import { spawn, type StdioOptions } from 'node:child_process';
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

export { seededBytes, temporaryFolder } from '@mmapkit/conformance/cases';
