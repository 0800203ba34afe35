/**
 * The pins one handle holds. Shared page states only count holders; this table knows
 * whose they are, so an unpin of a page this handle never pinned is an error
 * (`ERR_POOL_NOT_PINNED`) instead of silently releasing another thread's pin, and a pin that
 * could only wait for this very handle (a deadlock) throws instead.
 */

import { BufferPoolError } from './errors.js';

export class PinTable {
  readonly #shared = new Map<number, number>();
  readonly #exclusive = new Set<number>();
  /** Pages this handle is loading in `pinAsync()`, with the load's promise. */
  readonly loading = new Map<number, Promise<unknown>>();

  sharedCount(page: number): number {
    return this.#shared.get(page) ?? 0;
  }

  holdsExclusive(page: number): boolean {
    return this.#exclusive.has(page);
  }

  addShared(page: number): void {
    this.#shared.set(page, (this.#shared.get(page) ?? 0) + 1);
  }

  addExclusive(page: number): void {
    this.#exclusive.add(page);
  }

  /** Removes one shared pin; throws `ERR_POOL_NOT_PINNED` when there is none. */
  removeShared(page: number): void {
    const count = this.#shared.get(page);
    if (count === undefined) {
      const hint = this.#exclusive.has(page) ? ' It is pinned exclusively: use unpinExclusive().' : '';
      throw new BufferPoolError('ERR_POOL_NOT_PINNED', `Page ${page} is not pinned (shared) by this pool handle.${hint}`, { page });
    }
    if (count === 1) this.#shared.delete(page);
    else this.#shared.set(page, count - 1);
  }

  /** Removes the exclusive pin; throws `ERR_POOL_NOT_PINNED` when there is none. */
  removeExclusive(page: number): void {
    if (!this.#exclusive.delete(page)) {
      throw new BufferPoolError('ERR_POOL_NOT_PINNED', `Page ${page} is not pinned exclusively by this pool handle.`, { page });
    }
  }

  /** Throws `ERR_POOL_ALREADY_PINNED` when this handle's own pin or load would make `what` wait forever. */
  assertNoSelfConflict(page: number, what: 'shared' | 'exclusive'): void {
    const conflict = this.#exclusive.has(page) || (what === 'exclusive' && this.#shared.has(page));
    if (conflict) {
      throw new BufferPoolError(
        'ERR_POOL_ALREADY_PINNED',
        `Page ${page} is already pinned ${this.#exclusive.has(page) ? 'exclusively' : 'shared'} by this handle; a ${what} pin would wait for itself forever.`,
        { page },
      );
    }
  }

  /** Every exclusive pin (for flush and close). */
  exclusivePages(): number[] {
    return [...this.#exclusive];
  }

  clear(): void {
    this.#shared.clear();
    this.#exclusive.clear();
  }
}
