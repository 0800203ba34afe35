import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built command-line tool. */
export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** What a finished process printed. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <args>` with extra environment variables; resolves when it exits. */
export function runNode(args: readonly string[], environment: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...environment } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI. */
export function runCli(args: readonly string[], environment: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  return runNode([cliPath, ...args], environment);
}
