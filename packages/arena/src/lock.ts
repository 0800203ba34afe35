/**
 * The cross-process lock of a shared arena: one Int32 word in the mapping holding the
 * owner's pid (0 when free), and a generation word counting takeovers.
 *
 * `Atomics.wait`/`notify` do not wake across processes (V8 keeps its own list of waiters),
 * so a waiter spins on `compareExchange` for a bounded number of rounds, then sleeps a few
 * microseconds at a time with `Atomics.wait` on a private buffer. Every few milliseconds of
 * waiting it asks the kernel whether the owner still exists (`kill(pid, 0)`, and on Linux
 * whether it is a zombie); when it does not, it takes the lock over with one
 * `compareExchange` from the dead pid to its own, and the caller repairs the heap.
 */
import { readFileSync } from 'node:fs';
import { generationWord, lockWord } from './layout.js';

const spinRounds = 64;
const sleepMilliseconds = 0.02;
const livenessCheckMilliseconds = 4;

/** True when process `pid` no longer exists (or is a zombie nobody reaped yet). */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: unknown }).code === 'ESRCH';
  }
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

export class ProcessLock {
  readonly #words: Int32Array;
  readonly #pid: number;
  readonly #sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(words: Int32Array, pid = process.pid) {
    this.#words = words;
    this.#pid = pid;
  }

  /**
   * Takes the lock. Returns true when it was taken over from a dead owner (the heap must
   * then be repaired before use), false for an ordinary acquisition.
   */
  acquire(): boolean {
    const words = this.#words;
    if (Atomics.compareExchange(words, lockWord, 0, this.#pid) === 0) return false;
    return this.#acquireSlowly();
  }

  #acquireSlowly(): boolean {
    const words = this.#words;
    let lastCheck = performance.now();
    for (let round = 0; ; round++) {
      const owner = Atomics.load(words, lockWord);
      if (owner === 0) {
        if (Atomics.compareExchange(words, lockWord, 0, this.#pid) === 0) return false;
        continue;
      }
      if (round < spinRounds) continue;
      Atomics.wait(this.#sleeper, 0, 0, sleepMilliseconds);
      const now = performance.now();
      if (now - lastCheck < livenessCheckMilliseconds) continue;
      lastCheck = now;
      if (owner !== this.#pid && processIsGone(owner) && Atomics.compareExchange(words, lockWord, owner, this.#pid) === owner) {
        Atomics.add(words, generationWord, 1);
        return true;
      }
    }
  }

  /** Takes the lock only if it is free now. */
  tryAcquire(): boolean {
    return Atomics.compareExchange(this.#words, lockWord, 0, this.#pid) === 0;
  }

  release(): void {
    Atomics.store(this.#words, lockWord, 0);
  }

  /** The pid holding the lock, or 0. */
  get owner(): number {
    return Atomics.load(this.#words, lockWord);
  }

  get generation(): number {
    return Atomics.load(this.#words, generationWord);
  }
}
