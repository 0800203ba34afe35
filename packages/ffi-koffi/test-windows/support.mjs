// Helpers of the Windows tests (run by node --test under Wine, see ../README.md).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export { fileWith, seededBytes, temporaryFolder } from '@mmapkit/conformance/cases';

/**
 * Runs `fixtures/<name>` in a new node.exe with an IPC channel (pipes between Windows
 * processes work under Wine). `talk(child)` may exchange messages; resolves with how the
 * child ended, its stderr and the last message it sent.
 */
export function runFixture(name, args = [], talk = () => {}) {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let report;
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('message', (message) => (report = message));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, report }));
    talk(child);
  });
}

/** The next message from a child process. */
export function nextMessage(child) {
  return new Promise((resolve) => child.once('message', resolve));
}

/** Closes `resource` when test `t` ends (Node 20 has no `using`); returns it. */
export function own(t, resource) {
  t.after(() => resource.close());
  return resource;
}
