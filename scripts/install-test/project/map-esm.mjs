// Maps a file read-write with the default backend, writes a pattern, and checks that it reached
// the file. Prints { backend, origin, roundTrip } as JSON. Usage: node map-esm.mjs <file>
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultBackend, map } from 'mmapkit';

const file = process.argv[2];
writeFileSync(file, new Uint8Array(3 * 4096));
const pattern = Uint8Array.from({ length: 5000 }, (_, index) => (index * 31 + 7) & 0xff);
const mapping = map(file, { protection: 'read-write' });
mapping.view(1000, pattern.length).set(pattern);
mapping.close();
const written = readFileSync(file).subarray(1000, 1000 + pattern.length);
const { backend } = defaultBackend();
console.log(
  JSON.stringify({
    backend: mapping.backend.name,
    origin: backend.origin,
    roundTrip: Buffer.from(pattern).equals(written),
  }),
);
