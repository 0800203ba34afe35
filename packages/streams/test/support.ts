/** Test support for @mmapkit/streams: the backends, seeded files, mapping counts and child processes. */
import { readFileSync } from 'node:fs';
import { fixtureRunner, seededRandom } from '@mmapkit/conformance/cases';

export { fileWith, seededBytes, seededRandom, temporaryFolder } from '@mmapkit/conformance/cases';

/** Every backend, by the name mmapkit's `backend` option takes. */
export const backendNames = ['native-napi', 'ffi-koffi', 'fallback-fs'] as const;

/** A small window so that window boundaries are cheap to reach (one page on Linux). */
export const smallWindow = 4096;

/** How many mappings of `path` this process has (from /proc/self/maps). */
export function mappingsOf(path: string): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(path)).length;
}

/** Seeded valid UTF-8 text of exactly `length` bytes: lines of random lengths with `\n` and `\r\n` endings and multibyte UTF-8 characters. */
export function seededText(length: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const pieces = ['a', 'b', 'z', ' ', '0', 'é', '€', '𝄞', 'ж', '\n', '\r\n', '\n\n'];
  const parts: string[] = [];
  let size = 0;
  for (;;) {
    const piece = pieces[Math.floor(random() * pieces.length)] as string;
    if (size + Buffer.byteLength(piece) > length) break;
    parts.push(piece);
    size += Buffer.byteLength(piece);
  }
  // Fill to the exact length with ASCII so that the text stays valid UTF-8 to its last byte.
  return Buffer.from(parts.join('') + 'a'.repeat(length - size));
}

/** Runs `test/fixtures/<name>` in a child Node and reads the JSON report it prints last. */
export const runFixture = fixtureRunner(new URL('./fixtures/', import.meta.url));
