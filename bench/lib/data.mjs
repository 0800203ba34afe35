// Shared by the benchmark scripts: deterministic data, never unseeded randomness.
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const mebibyte = 2 ** 20;

/** Deterministic generator (xorshift32) of unsigned 32-bit integers. */
export function seededGenerator(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * Makes `path` a file of `length` bytes of data from `seed`, flushed to disk, unless it
 * already has that size (kept between runs in bench/.data).
 */
export function ensureDataFile(path, length, seed = 12345) {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path) && statSync(path).size === length) return;
  const next = seededGenerator(seed);
  const block = new Uint32Array(mebibyte / 4).map(() => next());
  const fd = openSync(path, 'w');
  for (let offset = 0; offset < length; offset += mebibyte) writeSync(fd, new Uint8Array(block.buffer), 0, Math.min(mebibyte, length - offset), offset);
  fdatasyncSync(fd);
  closeSync(fd);
}
