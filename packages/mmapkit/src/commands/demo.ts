import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, Mapping } from '@mmapkit/core';
import { formatBytes } from '../format.js';
import { defaultBackend, map } from '../map.js';
import { SharedMemory } from '../shared-memory.js';

const regionLength = 4096;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeString(mapping: Mapping, text: string): void {
  const bytes = mapping.view(0, regionLength);
  bytes.fill(0);
  bytes.set(encoder.encode(text));
  mapping.sync();
}

function readString(mapping: Mapping): string {
  mapping.refresh();
  const bytes = mapping.view(0, regionLength);
  const end = bytes.indexOf(0);
  return decoder.decode(bytes.subarray(0, end === -1 ? bytes.length : end));
}

function line(anonymous: Mapping, zeroBacked: Mapping): string {
  return `PID ${process.pid}:  ${readString(anonymous)}, ${readString(zeroBacked)}`;
}

/**
 * The child half of the demonstration: maps the anonymous region from descriptor 3 and the
 * named region by name, prints round 1 as the parent wrote it, writes round 2 and prints it.
 */
export function demoChild(name: string, backend: Backend): void {
  using anonymousMemory = SharedMemory.fromFd(3, { backend });
  using zeroMemory = SharedMemory.openNamed(name, { backend });
  using anonymous = anonymousMemory.map();
  using zeroBacked = zeroMemory.map();
  console.log(line(anonymous, zeroBacked));
  writeString(anonymous, 'anonymous string 2');
  writeString(zeroBacked, 'zero-backed string 2');
  console.log(line(anonymous, zeroBacked));
}

async function sharedMemoryDemo(cliPath: string, backend: Backend): Promise<void> {
  console.log(`== Shared memory between two processes (${backend.name} backend)`);
  const name = `/mmapkit-demo-${process.pid}`;
  using anonymousMemory = SharedMemory.create(regionLength, { backend });
  using zeroMemory = SharedMemory.createNamed(name, regionLength, { backend });
  try {
    using anonymous = anonymousMemory.map();
    using zeroBacked = zeroMemory.map();
    if (!zeroBacked.bytes.every((byte) => byte === 0)) throw new Error('new named shared memory is not zero-filled');
    writeString(anonymous, 'anonymous string 1');
    writeString(zeroBacked, 'zero-backed string 1');
    console.log(line(anonymous, zeroBacked));
    const child = spawn(process.execPath, [cliPath, '__demo-child', name, '--backend', backend.name], {
      stdio: ['ignore', 'inherit', 'inherit', anonymousMemory.fd],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`the child process failed with exit code ${String(code)}`);
    console.log(line(anonymous, zeroBacked));
  } finally {
    SharedMemory.unlinkNamed(name, { backend });
  }
}

/** Resident bytes of every mapping of `path` in this process (Linux `/proc/self/smaps`), if known. */
function residentBytesOfFile(path: string): number | undefined {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  let total = 0;
  let found = false;
  let inFile = false;
  for (const line of smaps.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      inFile = line.endsWith(` ${path}`);
      found ||= inFile;
    } else if (inFile && line.startsWith('Rss:')) {
      total += Number(/(\d+)/.exec(line)?.[1] ?? 0) * 1024;
    }
  }
  return found ? total : undefined;
}

function demandPagingDemo(backend: Backend): void {
  const size = 8 * 2 ** 30;
  console.log(`\n== Demand paging: a sparse ${formatBytes(size)} file`);
  const folder = mkdtempSync(join(tmpdir(), 'mmapkit-demo-'));
  try {
    const path = join(folder, 'sparse.bin');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, size);
    closeSync(fd);
    const before = process.memoryUsage().rss;
    using mapping = map(path, { backend });
    const mapped = process.memoryUsage().rss;
    // Random access: no read-ahead, so only the pages read are loaded.
    if (backend.capabilities.advice.includes('random')) mapping.advise('random');
    // 64 pages spread over the whole file, one byte read from each.
    const touchedPages = 64;
    let sum = 0;
    for (let index = 0; index < touchedPages; index++) {
      const offset = Math.floor((size - 1) * (index / (touchedPages - 1)));
      sum += mapping.view(offset, 1)[0] ?? 0;
    }
    const touched = process.memoryUsage().rss;
    const signed = (bytes: number): string => `${bytes >= 0 ? '+' : '-'}${formatBytes(Math.abs(bytes))}`;
    console.log(`process RSS before mapping:        ${formatBytes(before)}`);
    console.log(`after mapping ${formatBytes(size)}:            ${formatBytes(mapped)} (${signed(mapped - before)})`);
    console.log(`after reading ${touchedPages} pages across it:  ${formatBytes(touched)} (${signed(touched - mapped)}; the JavaScript heap moves too; the bytes read sum to ${sum})`);
    const mappingRss = residentBytesOfFile(path);
    if (mappingRss !== undefined) console.log(`RSS of the mapping itself:         ${formatBytes(mappingRss)} (/proc/self/smaps)`);
    if (backend.capabilities.residency) {
      const residency = mapping.residency({ offset: 0, length: Math.min(size, 2 ** 31) });
      const rest = size > 2 ** 31 ? mapping.residency({ offset: 2 ** 31 }) : undefined;
      const resident = residency.resident + (rest?.resident ?? 0);
      const pages = residency.pages + (rest?.pages ?? 0);
      console.log(`pages of the mapping in memory:    ${resident} of ${pages} (${formatBytes(resident * residency.pageSize)}, mincore)`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** `mmapkit demo`: shared memory between two processes, demand paging, and the backend choice. */
export async function demo(cliPath: string, backend: Backend | undefined): Promise<void> {
  const choice = backend === undefined ? defaultBackend() : { backend, reason: 'requested with --backend', rejected: [] };
  await sharedMemoryDemo(cliPath, choice.backend);
  demandPagingDemo(choice.backend);
  console.log(`\n== Backend`);
  console.log(`chosen: ${choice.backend.name} (${choice.reason})`);
  for (const rejected of choice.rejected) console.log(`not chosen: ${rejected.name}: ${rejected.reason}`);
}
