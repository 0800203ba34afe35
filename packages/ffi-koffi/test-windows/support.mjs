// Helpers of the Windows tests (run by node --test under Wine, see ../README.md).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh temporary folder and a function that removes it. */
export function temporaryFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'mmapkit-windows-'));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Deterministic bytes from a seed (xorshift32), never Math.random(). */
export function seededBytes(length, seed) {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** Writes `bytes` to `name` in `folder` and returns the path. */
export function fileWith(folder, name, bytes) {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

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
