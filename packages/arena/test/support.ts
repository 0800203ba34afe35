import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ArenaError } from '../src/index.js';

/** The child-process script (runs against the built `dist`). */
export const childScript = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url));

/** Full-size trials when `MMAPKIT_FULL=1`, the CI size otherwise. */
export const full = process.env.MMAPKIT_FULL === '1';

/** What a finished child printed. */
export interface ChildOutput {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `node child.mjs <args>`; `done` resolves when it exits. */
export function startChild(args: readonly string[]): { child: ChildProcess; done: Promise<ChildOutput>; ready: Promise<void> } {
  const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready\n')) markReady();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<ChildOutput>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      markReady();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, ready };
}

/** Runs a child to its end and returns its output. */
export function runChild(args: readonly string[]): Promise<ChildOutput> {
  return startChild(args).done;
}

/** The `code` of an `ArenaError` or argument error thrown by `action`, or 'did not throw'. */
export function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (ArenaError.isInstance(error)) return String(code);
    if (error instanceof TypeError || error instanceof RangeError) return `${error.name}:${String(code)}`;
    return `other:${String(error)}`;
  }
  return 'did not throw';
}
