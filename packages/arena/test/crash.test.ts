import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, temporaryFolder } from '@mmapkit/conformance/cases';
import { map } from 'mmapkit';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { Arena } from '../src/index.js';
import { full, runChild, startChild } from './support.js';

const folder = temporaryFolder('mmapkit-arena-crash-');
afterAll(() => folder.remove());

const trials = full ? 1000 : 50;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Frees the blocks the dead process stamped with its pid (they would leak otherwise). */
function freeBlocksOf(arena: Arena, pid: number): number {
  let freed = 0;
  for (const [offset, size] of arena.blocks()) {
    if (size < 8) continue;
    const stamp = new DataView(arena.mapping.view(offset, 4).slice().buffer).getUint32(0, true);
    if (stamp !== pid) continue;
    try {
      arena.free(offset);
      freed++;
    } catch {
      // A survivor changed the block since blocks() listed it: not the dead process's.
    }
  }
  return freed;
}

describe(`crash trials: ${trials} SIGKILLs at random moments of a process working on a shared file-backed arena`, () => {
  it('after every kill the heap is repaired, check() is clean, the survivors go on, and a new process reopens it clean', async () => {
    const path = join(folder.folder, 'crash.arena');
    const progressPath = join(folder.folder, 'progress');
    writeFileSync(progressPath, Buffer.alloc(4096));
    using progress = map(progressPath, { protection: 'read-write' });
    const words = new Float64Array(progress.bytes.buffer, progress.bytes.byteOffset, 64);
    let arena = Arena.create({ path, size: 64 * 2 ** 20 });
    const survivors = [0, 1].map((slot) => startChild(['forever', path, 'native-napi', String(100 + slot), progressPath, String(slot)]));
    // Survivors run until told to stop: kill them whatever happens, so a failing trial leaves no orphans.
    onTestFinished(() => {
      for (const survivor of survivors) survivor.child.kill('SIGKILL');
    });
    await Promise.all(survivors.map((survivor) => survivor.ready));
    const random = seededRandom(2026);
    const delays: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const victim = startChild(['forever', path, 'native-napi', String(1000 + trial), progressPath, '2']);
      onTestFinished(() => void victim.child.kill('SIGKILL'));
      await victim.ready;
      await sleep(random() * 25);
      const before = [words[16] as number, words[17] as number];
      victim.child.kill('SIGKILL');
      const killedAt = performance.now();
      const ended = await victim.done;
      expect(ended.signal, ended.stderr).toBe('SIGKILL');
      while ((words[16] as number) <= (before[0] as number) || (words[17] as number) <= (before[1] as number)) {
        if (performance.now() - killedAt > 5000) throw new Error(`the survivors did not go on after trial ${trial}`);
        await sleep(1);
      }
      delays.push(performance.now() - killedAt);
      if (trial % 10 === 9) {
        arena.close();
        arena = Arena.open({ path });
      }
      freeBlocksOf(arena, victim.child.pid as number);
      const problems = arena.check();
      if (problems.length > 0) throw new Error(`trial ${trial}: ${JSON.stringify(problems)}`);
    }
    words[0] = 1;
    const results = await Promise.all(survivors.map((survivor) => survivor.done));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const repairs = arena.stats().repairs;
    arena.close();
    // A last victim killed with nobody else around; a fresh process reopens the file.
    words[0] = 0;
    const last = startChild(['forever', path, 'native-napi', '77', progressPath, '3']);
    await last.ready;
    await sleep(20);
    last.child.kill('SIGKILL');
    await last.done;
    const reopened = await runChild(['root', path, 'native-napi']);
    expect(reopened.code, reopened.stderr).toBe(0);
    expect((JSON.parse(reopened.stdout) as { problems: unknown[] }).problems).toEqual([]);
    delays.sort((left, right) => left - right);
    const at = (fraction: number) => (delays[Math.min(delays.length - 1, Math.floor(fraction * delays.length))] as number).toFixed(1);
    console.log(
      `crash trials: ${trials}, repairs after a kill inside an operation: ${repairs}, survivors went on after ${at(0.5)} ms (median), ${at(0.99)} ms (p99), ${at(1)} ms (max)`,
    );
    expect(delays[delays.length - 1]).toBeLessThan(2000);
  });
});
