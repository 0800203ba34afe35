import { createReadStream as fsCreateReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, test } from 'vitest';
import { map } from 'mmapkit';
import { chunks, createReadStream, lineOffsets, lines, scanLines, toWebStream } from '../src/index.js';
import { backendNames, fileWith, seededBytes, seededRandom, seededText, smallWindow, temporaryFolder } from './support.js';

const { folder, remove } = temporaryFolder('mmapkit-streams-');
afterAll(remove);

/** Sizes that hit the edge cases: empty, one byte, a window and one either side, several windows. */
const sizes = [0, 1, smallWindow - 1, smallWindow, smallWindow + 1, 3 * smallWindow + 17, 10 * smallWindow];

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

async function readlineLines(path: string): Promise<string[]> {
  const result: string[] = [];
  for await (const line of createInterface({ input: fsCreateReadStream(path), crlfDelay: Infinity })) result.push(line);
  return result;
}

describe.each(backendNames)('reading on %s', (backend) => {
  test.each(sizes)('createReadStream, chunks() and toWebStream() give the same bytes as fs.createReadStream (size %i)', async (size) => {
    const path = fileWith(folder, `bytes-${backend}-${size}`, seededBytes(size, size + 1));
    const expected = await collect(fsCreateReadStream(path));
    const options = { windowSize: smallWindow, chunkSize: 1000, backend } as const;
    expect((await collect(createReadStream(path, options))).equals(expected)).toBe(true);
    expect((await collect(chunks(path, options))).equals(expected)).toBe(true);
    expect((await collect(toWebStream(path, options))).equals(expected)).toBe(true);
  });

  test('start and end at random bytes match fs.createReadStream (end exclusive)', async () => {
    const size = 5 * smallWindow + 3;
    const path = fileWith(folder, `range-${backend}`, seededBytes(size, 7));
    const random = seededRandom(11);
    for (let trial = 0; trial < 25; trial++) {
      const start = Math.floor(random() * size);
      const end = start + Math.floor(random() * (size - start + 1));
      const expected = end === start ? Buffer.alloc(0) : await collect(fsCreateReadStream(path, { start, end: end - 1 }));
      const actual = await collect(createReadStream(path, { start, end, windowSize: smallWindow, backend }));
      expect(actual.equals(expected), `start ${start} end ${end}`).toBe(true);
    }
  });

  test.each(sizes)('lines() equals readline on seeded text with CRLF mixes and multibyte UTF-8 across windows (size %i)', async (size) => {
    const path = fileWith(folder, `text-${backend}-${size}`, seededText(size, size + 3));
    const expected = await readlineLines(path);
    expect([...lines(path, { windowSize: smallWindow, backend })]).toEqual(expected);
    const viaAsync: string[] = [];
    for await (const line of lines(path, { windowSize: smallWindow, backend })) viaAsync.push(line);
    expect(viaAsync).toEqual(expected);
  });

  test.each(sizes)('scanLines() and lineOffsets() give the byte ranges of the lines lines() yields (size %i)', (size) => {
    const text = seededText(size, size + 5);
    const path = fileWith(folder, `offsets-${backend}-${size}`, text);
    const expected = [...lines(path, { windowSize: smallWindow, backend })];
    const ranges = [...lineOffsets(path, { windowSize: smallWindow, backend })];
    expect(ranges.map(({ start, end }) => text.toString('utf8', start, end))).toEqual(expected);
    const scanned: string[] = [];
    const count = scanLines(path, (start, end) => scanned.push(text.toString('utf8', start, end)), { windowSize: smallWindow, backend });
    expect(count).toBe(expected.length);
    expect(scanned).toEqual(expected);
  });

  test('keepCR keeps the \\r of \\r\\n, also when a window boundary falls between them', () => {
    const text = Buffer.from(`${'a'.repeat(smallWindow - 1)}\r\nb\r\nc`);
    const path = fileWith(folder, `crlf-${backend}`, text);
    expect([...lines(path, { windowSize: smallWindow, backend })]).toEqual(['a'.repeat(smallWindow - 1), 'b', 'c']);
    expect([...lines(path, { windowSize: smallWindow, backend, keepCR: true })]).toEqual([`${'a'.repeat(smallWindow - 1)}\r`, 'b\r', 'c']);
    const ends = [...lineOffsets(path, { windowSize: smallWindow, backend })].map((range) => range.end);
    expect(ends).toEqual([smallWindow - 1, smallWindow + 2, smallWindow + 5]);
  });

  test('a line longer than several windows comes out whole, with a 4-byte UTF-8 character cut by each boundary', () => {
    const long = '𝄞'.repeat(3 * smallWindow);
    const path = fileWith(folder, `long-${backend}`, Buffer.from(`x${long}\nend`));
    expect([...lines(path, { windowSize: smallWindow, backend })]).toEqual([`x${long}`, 'end']);
  });

  test('chunks of one window are views of one buffer; copy: true gives chunks that own their memory', async () => {
    const path = fileWith(folder, `views-${backend}`, seededBytes(3 * smallWindow, 9));
    const views = await collectAll(createReadStream(path, { windowSize: smallWindow, chunkSize: 1024, backend }));
    const copies = await collectAll(createReadStream(path, { windowSize: smallWindow, chunkSize: 1024, backend, copy: true }));
    expect(views[0]?.buffer).toBe(views[3]?.buffer);
    expect(views[0]?.buffer).not.toBe(views[4]?.buffer);
    expect(Buffer.concat(copies).equals(Buffer.concat(views))).toBe(true);
    using mapping = map(path, { backend });
    const mappedBuffer = mapping.view(0, 1).buffer;
    const [fromMapping] = await collectAll(createReadStream(mapping, { chunkSize: 1024 }));
    const [copied] = await collectAll(createReadStream(mapping, { chunkSize: 1024, copy: true }));
    expect(fromMapping?.buffer).toBe(mappedBuffer);
    expect(copied?.buffer).not.toBe(mappedBuffer);
  });

  test('reading from an existing Mapping never closes it', async () => {
    const bytes = seededBytes(4 * smallWindow + 5, 13);
    const path = fileWith(folder, `given-${backend}`, bytes);
    using mapping = map(path, { backend });
    expect((await collect(createReadStream(mapping, { windowSize: smallWindow, start: 3 }))).equals(Buffer.from(bytes.subarray(3)))).toBe(true);
    expect(mapping.closed).toBe(false);
    expect(Buffer.from(mapping.view(0, 4)).equals(Buffer.from(bytes.subarray(0, 4)))).toBe(true);
  });

  test('the web stream never detaches a mapping buffer: every chunk and the window stay readable', async () => {
    const bytes = seededBytes(3 * smallWindow, 17);
    const path = fileWith(folder, `web-${backend}`, bytes);
    // One branch is held chunk by chunk while a Response consumes the other: the same chunk objects.
    const [kept, consumed] = toWebStream(path, { windowSize: smallWindow, chunkSize: 1024, backend }).tee();
    const reader = kept.getReader();
    const held: Uint8Array[] = [];
    for (let result = await reader.read(); !result.done; result = await reader.read()) held.push(result.value);
    const body = new Uint8Array(await new Response(consumed).arrayBuffer());
    expect(Buffer.from(body).equals(Buffer.from(bytes))).toBe(true);
    expect(held.every((chunk) => chunk.buffer.byteLength > 0 && chunk.byteLength === 1024)).toBe(true);
    expect(Buffer.concat(held).equals(Buffer.from(bytes))).toBe(true);
    // A default stream, not a byte stream: no BYOB reader can ask for buffers to be transferred.
    expect(() => toWebStream(path, { backend }).getReader({ mode: 'byob' })).toThrow(TypeError);
  });

  test('backpressure: a paused stream maps no further than it was asked to read', async () => {
    const path = fileWith(folder, `pressure-${backend}`, seededBytes(50 * smallWindow, 19));
    const stream = createReadStream(path, { windowSize: smallWindow, chunkSize: smallWindow, backend });
    stream.pause();
    await new Promise((resolve) => setTimeout(resolve, 20));
    stream.read(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stream.bytesRead).toBeLessThanOrEqual(2 * smallWindow);
    stream.destroy();
  });
});

async function collectAll(stream: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const result: Buffer[] = [];
  for await (const chunk of stream) result.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return result;
}

test('an incomplete UTF-8 sequence at the end decodes as U+FFFD, as Buffer.toString does (readline drops it)', () => {
  const path = fileWith(folder, 'cut-utf8', Buffer.from([0x61, 0x0a, 0x62, 0xe2, 0x82]));
  expect([...lines(path)]).toEqual(['a', 'b\ufffd']);
  expect([...lines(path, { encoding: 'latin1' })]).toEqual(['a', 'b\u00e2\u0082']);
});

test('an empty file gives no chunks and no lines; end beyond the size reads to the end', async () => {
  const path = `${folder}/empty`;
  writeFileSync(path, '');
  expect((await collect(createReadStream(path))).length).toBe(0);
  expect([...lines(path)]).toEqual([]);
  expect(scanLines(path, () => undefined)).toBe(0);
  const small = fileWith(folder, 'small', Buffer.from('abc'));
  expect((await collect(createReadStream(small, { start: 1, end: 99 }))).toString()).toBe('bc');
  expect(readFileSync(small, 'utf8')).toBe('abc');
});
