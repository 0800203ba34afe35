/**
 * Run by the conformance suite in a separate Node process:
 * `node child.js <backend module> <file> <steps as JSON>`. Maps the file read-write and
 * shared with that backend, performs the steps and prints `{ reads }` as JSON.
 */
import { mapFile, type Backend } from '@mmapkit/core';
import type { ChildStep } from './support.js';

const [moduleSpecifier, path, stepsJson] = process.argv.slice(2);
if (moduleSpecifier === undefined || path === undefined || stepsJson === undefined) {
  process.stderr.write('usage: child.js <backend module> <file> <steps as JSON>\n');
  process.exit(2);
}
const loaded = (await import(moduleSpecifier)) as { backend: Backend };
const steps = JSON.parse(stepsJson) as ChildStep[];
const mapping = mapFile(loaded.backend, { path, protection: 'read-write', sharing: 'shared' });
const reads: number[][] = [];
for (const step of steps) {
  if (step.op === 'read') reads.push([...mapping.view(step.offset, step.length)]);
  else if (step.op === 'write') mapping.view(step.offset, step.bytes.length).set(step.bytes);
  else if (step.op === 'sync') mapping.sync();
  else mapping.refresh();
}
mapping.close();
process.stdout.write(JSON.stringify({ reads }));
