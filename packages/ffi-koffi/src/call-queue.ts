/**
 * Limits how many calls run on koffi's worker threads at once. koffi refuses more than
 * `max_async_calls` (256 by default, shared by everything in the process that uses koffi)
 * with an error, so calls past `limit` wait here, in order, instead of failing.
 */
export class CallQueue {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs `start` when a slot is free; the slot is held until its promise settles. */
  async run<T>(start: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running += 1;
    try {
      return await start();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, or is given back.
      if (next === undefined) this.#running -= 1;
      else next();
    }
  }
}
