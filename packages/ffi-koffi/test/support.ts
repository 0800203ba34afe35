import { spawn, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a fixture process did: how it ended, and the JSON it printed on stdout. */
export interface FixtureResult<T> {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly report: T | undefined;
}

/**
 * Runs `test/fixtures/<name>` in a new Node process, so that a crash (SIGSEGV, SIGBUS, an
 * abort) is seen as a failed test and not as a lost test run. Fixtures import the built
 * package (`dist/`) and print one JSON report.
 */
export function runFixture<T>(
  name: string,
  args: readonly string[] = [],
  options: { flags?: readonly string[]; stdio?: StdioOptions } = {},
): Promise<FixtureResult<T>> {
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
    child.on('close', (code, signal) => {
      let report: T | undefined;
      try {
        report = JSON.parse(stdout) as T;
      } catch {
        report = undefined;
      }
      resolve({ code, signal, stderr, report });
    });
  });
}

export { fileWith, seededBytes, temporaryFolder } from '@mmapkit/conformance/cases';
