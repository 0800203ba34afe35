import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { fixtureReport } from '@mmapkit/conformance/cases';
import { createWriteStream, MappedWriteStream } from '../src/index.js';
import { backendNames, fileWith, runFixture, seededBytes, smallWindow, temporaryFolder } from './support.js';

const { folder, remove } = temporaryFolder('mmapkit-streams-write-');
afterAll(remove);

async function writeAndFinish(stream: MappedWriteStream, parts: readonly Uint8Array[]): Promise<void> {
  for (const part of parts) if (!stream.write(part)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'close');
}

/** `bytes` cut into seeded pieces of 1 byte to 3 windows. */
function piecesOf(bytes: Uint8Array, seed: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let random = seed;
  for (let offset = 0; offset < bytes.length; ) {
    random = (random * 1103515245 + 12345) % 2 ** 31;
    const length = 1 + (random % (3 * smallWindow));
    pieces.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return pieces;
}

describe.each(backendNames)('writing on %s', (backend) => {
  test.each([0, 1, smallWindow - 1, smallWindow, smallWindow + 1, 7 * smallWindow + 5])(
    'the file holds exactly what was written, never the grown size (%i bytes)',
    async (size) => {
      const bytes = seededBytes(size, size + 41);
      const path = `${folder}/exact-${backend}-${size}`;
      await writeAndFinish(createWriteStream(path, { growBy: smallWindow, backend }), piecesOf(bytes, size + 1));
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  test("flags: 'w' truncates, 'r+' overwrites in place from start, 'a' appends after the old end", async () => {
    const path = fileWith(folder, `flags-${backend}`, Buffer.from('0123456789'));
    await writeAndFinish(createWriteStream(path, { flags: 'r+', start: 3, backend }), [Buffer.from('abc')]);
    expect(readFileSync(path, 'utf8')).toBe('012abc6789');
    await writeAndFinish(createWriteStream(path, { flags: 'a', backend }), [Buffer.from('XY')]);
    expect(readFileSync(path, 'utf8')).toBe('012abc6789XY');
    await writeAndFinish(createWriteStream(path, { flags: 'w', backend }), [Buffer.from('new')]);
    expect(readFileSync(path, 'utf8')).toBe('new');
    await writeAndFinish(createWriteStream(path, { flags: 'r+', backend }), []);
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  test('start at an unaligned byte past the end leaves a hole of zeros before the data', async () => {
    const path = `${folder}/start-${backend}`;
    const start = 3 * smallWindow + 7;
    await writeAndFinish(createWriteStream(path, { start, growBy: smallWindow, backend }), [Buffer.from('tail')]);
    const content = readFileSync(path);
    expect(content.length).toBe(start + 4);
    expect(content.subarray(0, start).every((byte) => byte === 0)).toBe(true);
    expect(content.subarray(start).toString()).toBe('tail');
  });

  test('mode sets the permission bits of a created file', async () => {
    const path = `${folder}/mode-${backend}`;
    await writeAndFinish(createWriteStream(path, { mode: 0o600, backend }), [Buffer.from('x')]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('destroy() mid-stream cuts the file back to what was written', async () => {
    const path = `${folder}/destroyed-${backend}`;
    const bytes = seededBytes(smallWindow + 10, 43);
    const stream = createWriteStream(path, { growBy: 4 * smallWindow, backend });
    stream.write(bytes);
    await new Promise((resolve) => setImmediate(resolve));
    expect(statSync(path).size).toBe(4 * smallWindow);
    stream.destroy();
    await once(stream, 'close');
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true);
  });

  test('fsync: false finishes without fsync and with the same bytes', async () => {
    const path = `${folder}/nosync-${backend}`;
    const bytes = seededBytes(2 * smallWindow + 3, 47);
    await writeAndFinish(createWriteStream(path, { fsync: false, growBy: smallWindow, backend }), [bytes]);
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true);
  });

  test('a file that cannot be opened is a stream error with ERR_MMAP_SYSTEM and the errno', async () => {
    const stream = createWriteStream(`${folder}/missing-${backend}`, { flags: 'r+', backend });
    const [error] = (await once(stream, 'error')) as [{ code: string; errno: string }];
    expect(error).toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT' });
    expect(existsSync(`${folder}/missing-${backend}`)).toBe(false);
    const directory = `${folder}/directory-${backend}`;
    mkdirSync(directory);
    const [directoryError] = (await once(createWriteStream(directory, { backend }), 'error')) as [{ errno: string }];
    expect(directoryError.errno).toBe('EISDIR');
  });

  test('a read-only target is a stream error with EACCES (in a child without write permission)', async () => {
    const privateFolder = `${folder}/private-${backend}`;
    mkdirSync(privateFolder, { mode: 0o700 });
    const path = fileWith(privateFolder, 'locked', Buffer.from('keep'));
    const report = fixtureReport<{ code: string; errno: string }>(await runFixture('write-read-only.mjs', [backend, path]));
    expect(report).toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno: 'EACCES' });
    expect(readFileSync(path, 'utf8')).toBe('keep');
  });

  test('a descriptor closed behind the stream: growing fails with EBADF as a stream error; the bytes before are in the file', async () => {
    const path = `${folder}/closed-fd-${backend}`;
    const bytes = seededBytes(smallWindow, 53);
    const stream = createWriteStream(path, { growBy: smallWindow, backend });
    stream.write(bytes);
    await new Promise((resolve) => setImmediate(resolve));
    closeSync(stream.fd);
    stream.write(Buffer.from('more'));
    const [error] = (await once(stream, 'error')) as [{ code: string; errno: string }];
    expect(error).toMatchObject({ code: 'ERR_MMAP_SYSTEM', errno: 'EBADF' });
    if (backend === 'fallback-fs') {
      // fs windows reach the file when they are written back through the stream's descriptor,
      // which is gone: the window is lost and the file keeps its grown (zero) size. README says so.
      expect(statSync(path).size).toBe(smallWindow);
    } else {
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  test('a file size limit (RLIMIT_FSIZE) is a stream error with EFBIG; the steps written before it are in the file, and only they', async () => {
    const path = `${folder}/limited-${backend}`;
    // The one child not started through runFixture: prlimit must exec node itself to set the limit.
    const script = fileURLToPath(new URL('./fixtures/write-limit.mjs', import.meta.url));
    const run = spawnSync('prlimit', [`--fsize=${2 * 16 * smallWindow}`, process.execPath, script, backend, path, String(16 * smallWindow)], { encoding: 'utf8' });
    expect(run.signal).toBeNull();
    expect(JSON.parse(run.stdout)).toEqual({ code: 'ERR_MMAP_SYSTEM', errno: 'EFBIG', size: 2 * 16 * smallWindow, firstBad: -1, bytesWritten: 2 * 16 * smallWindow });
  });
});

test('writing an empty stream to a new file leaves an empty file', async () => {
  const path = `${folder}/empty`;
  await writeAndFinish(createWriteStream(path), []);
  expect(statSync(path).size).toBe(0);
  writeFileSync(`${folder}/kept`, 'old');
  await writeAndFinish(createWriteStream(`${folder}/kept`, { flags: 'r+', start: 100 }), []);
  expect(readFileSync(`${folder}/kept`, 'utf8')).toBe('old');
});
