import { fileURLToPath } from 'node:url';
import { runNode, type ProcessResult } from '@mmapkit/conformance/cases';

export { runNode, seededBytes, temporaryFolder } from '@mmapkit/conformance/cases';
export type { ProcessResult } from '@mmapkit/conformance/cases';

/** The built command-line tool. */
export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs the CLI with extra environment variables; resolves when it exits. */
export function runCli(args: readonly string[], environment: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  return runNode([cliPath, ...args], { environment });
}
