/**
 * Child Node processes for tests: one way to run one, so that a crash (SIGSEGV, SIGBUS, an
 * abort) is a failed assertion and not a lost test run. Runner-free (`./cases`).
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a Node process ended and what it printed. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fixture's result: the process's, plus the JSON report it printed on its last line. */
export interface FixtureResult<T> extends ProcessResult {
  /** The last non-empty line of stdout as JSON, or `undefined` when there is none or it is not JSON. */
  readonly report: T | undefined;
}

/** Options of `runNode`. */
export interface RunNodeOptions {
  /** Extra environment variables on top of this process's. @defaultValue `{}` */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** The working directory. @defaultValue this process's */
  readonly cwd?: string | URL;
  /** The child's stdio; stdout and stderr are collected when they are pipes. @defaultValue `['ignore', 'pipe', 'pipe']` */
  readonly stdio?: StdioOptions;
}

/**
 * Runs `node <args>` and resolves when it exits, however it exits (a signal included).
 *
 * @example
 * ```ts
 * const run = await runNode(['--version']);
 * expect(run.stdout).toMatch(/^v\d+/);
 * ```
 */
export function runNode(args: readonly string[], options: RunNodeOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.environment },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs an ES module given as source text (`node --input-type=module -e`), with `flags` before
 * it and `args` after it (`process.argv[1]` onwards).
 *
 * @defaultValue `options.cwd`: this module's folder, where `@mmapkit/*` packages resolve
 */
export function runNodeScript(
  flags: readonly string[],
  source: string,
  options: RunNodeOptions & { readonly args?: readonly string[] } = {},
): Promise<ProcessResult> {
  const { args = [], ...rest } = options;
  return runNode([...flags, '--input-type=module', '-e', source, ...args], { cwd: new URL('.', import.meta.url), ...rest });
}

/**
 * Runs a fixture script (a file, usually `test/fixtures/<name>` importing the built `dist/`)
 * and reads the JSON report it printed last.
 *
 * @example
 * ```ts
 * const run = await runFixture<{ live: number }>(new URL('./fixtures/worker.mjs', import.meta.url));
 * expect(fixtureReport(run).live).toBe(0);
 * ```
 */
export async function runFixture<T>(
  script: string | URL,
  args: readonly string[] = [],
  options: RunNodeOptions & { readonly flags?: readonly string[] } = {},
): Promise<FixtureResult<T>> {
  const { flags = [], ...rest } = options;
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const run = await runNode([...flags, path, ...args], rest);
  return { ...run, report: lastJsonLine<T>(run.stdout) };
}

/**
 * `runFixture` with scripts named relative to `folder`, for a package's `test/helpers.ts`:
 * `export const runFixture = fixtureRunner(new URL('./fixtures/', import.meta.url));`
 */
export function fixtureRunner(
  folder: URL,
): <T>(name: string, args?: readonly string[], options?: RunNodeOptions & { readonly flags?: readonly string[] }) => Promise<FixtureResult<T>> {
  return (name, args, options) => runFixture(new URL(name, folder), args, options);
}

/** The report of a fixture that must have exited with status 0; otherwise throws with its output. */
export function fixtureReport<T>(run: FixtureResult<unknown>): T {
  if (run.code !== 0) {
    throw new Error(`fixture failed (exit ${String(run.code)}, signal ${String(run.signal)}):\n${run.stderr}\n${run.stdout}`);
  }
  if (run.report === undefined) throw new Error(`fixture printed no JSON report:\n${run.stdout}\n${run.stderr}`);
  return run.report as T;
}

function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  if (last === undefined || last === '') return undefined;
  try {
    return JSON.parse(last) as T;
  } catch {
    return undefined;
  }
}
