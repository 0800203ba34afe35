import { closeSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { afterAll, describe, expect, test } from 'vitest';
import { chunks, createReadStream, createWriteStream, lineOffsets, lines, scanLines, toWebStream } from '../src/index.js';
import { backendNames, temporaryFolder } from './support.js';

const { folder, remove } = temporaryFolder('mmapkit-streams-large-');
afterAll(remove);

const fourGibibytes = 2 ** 32;

/** A sparse file of 4 GiB + 1 MiB (no disk space) with `text` written across the 4 GiB boundary. */
function sparseFile(name: string, text: string): string {
  const path = `${folder}/${name}`;
  const fd = openSync(path, 'w');
  ftruncateSync(fd, fourGibibytes + 2 ** 20);
  writeSync(fd, Buffer.from(text), 0, text.length, fourGibibytes - 3);
  closeSync(fd);
  return path;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

describe.each(backendNames)('past 4 GiB on %s', (backend) => {
  test('start and end around the 4 GiB boundary read the bytes there; lines and line offsets are file offsets past 2^32', async () => {
    const path = sparseFile(`sparse-${backend}`, 'ab\ncd\nef');
    const range = { start: fourGibibytes - 3, end: fourGibibytes + 5, backend } as const;
    expect((await collect(createReadStream(path, range))).toString()).toBe('ab\ncd\nef');
    expect((await collect(toWebStream(path, range))).toString()).toBe('ab\ncd\nef');
    expect([...lines(path, range)]).toEqual(['ab', 'cd', 'ef']);
    expect([...lineOffsets(path, range)]).toEqual([
      { start: fourGibibytes - 3, end: fourGibibytes - 1 },
      { start: fourGibibytes, end: fourGibibytes + 2 },
      { start: fourGibibytes + 3, end: fourGibibytes + 5 },
    ]);
    let bytes = 0;
    for await (const chunk of chunks(path, { start: fourGibibytes - 100, backend })) bytes += chunk.length;
    expect(bytes).toBe(2 ** 20 + 100);
  });

  test('a write stream starting past 4 GiB writes there and ends the file right after', async () => {
    const path = `${folder}/write-sparse-${backend}`;
    const stream = createWriteStream(path, { start: fourGibibytes + 1, backend });
    stream.end(Buffer.from('far'));
    await once(stream, 'close');
    expect(statSync(path).size).toBe(fourGibibytes + 4);
    const fd = openSync(path, 'r');
    const back = Buffer.alloc(5);
    readSync(fd, back, 0, 5, fourGibibytes - 1);
    closeSync(fd);
    expect([...back]).toEqual([0, 0, 0x66, 0x61, 0x72]);
  });
});

describe('bad input is a TypeError or RangeError naming the argument', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['a number as the target', () => createReadStream(42 as never), 'ERR_INVALID_ARG_TYPE', 'target'],
    ['an unknown option', () => createReadStream('x', { chunk: 1 } as never), 'ERR_INVALID_ARG_TYPE', 'chunk'],
    ['a negative start', () => chunks('x', { start: -1 }), 'ERR_OUT_OF_RANGE', 'options.start'],
    ['end before start', () => createReadStream('x', { start: 5, end: 4 }), 'ERR_OUT_OF_RANGE', 'options.end'],
    ['a window size that is not a page multiple', () => createReadStream('x', { windowSize: 5000 }), 'ERR_OUT_OF_RANGE', 'options.windowSize'],
    ['a zero chunk size', () => toWebStream('x', { chunkSize: 0 }), 'ERR_OUT_OF_RANGE', 'options.chunkSize'],
    ['copy that is not a boolean', () => createReadStream('x', { copy: 1 as never }), 'ERR_INVALID_ARG_TYPE', 'options.copy'],
    ['a faultGuard that is not a boolean', () => createWriteStream(`${folder}/bad`, { faultGuard: 'yes' as never }), 'ERR_INVALID_ARG_TYPE', 'options.faultGuard'],
    ['an unknown encoding', () => lines('x', { encoding: 'utf16le' as never }), 'ERR_INVALID_ARG_VALUE', 'options.encoding'],
    ['a scan callback that is not a function', () => scanLines('x', 5 as never), 'ERR_INVALID_ARG_TYPE', 'callback'],
    ['an unknown flag', () => createWriteStream(`${folder}/bad`, { flags: 'x' as never }), 'ERR_INVALID_ARG_VALUE', 'options.flags'],
    ['a growBy that is not a page multiple', () => createWriteStream(`${folder}/bad`, { growBy: 100 }), 'ERR_OUT_OF_RANGE', 'options.growBy'],
    ['a mode out of range', () => createWriteStream(`${folder}/bad`, { mode: 0o10000 }), 'ERR_OUT_OF_RANGE', 'options.mode'],
    ['a backend that is not a name or backend', () => createReadStream('x', { backend: 7 as never }), 'ERR_INVALID_ARG_TYPE', 'options.backend'],
  ];
  test.each(cases)('%s', (_name, action, code, argument) => {
    let thrown: unknown;
    try {
      action();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ code });
    expect((thrown as Error).message).toContain(argument);
  });
});
