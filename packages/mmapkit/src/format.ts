/** Small formatting helpers for the command-line tool. */

/** `1536` → `'1.5 KiB'`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A bar of `width` cells, filled in proportion to `fraction` (0..1). */
export function bar(fraction: number, width = 30): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** A percentage with one decimal. */
export function percent(fraction: number): string {
  return `${(Number.isFinite(fraction) ? fraction * 100 : 0).toFixed(1)}%`;
}

/** Rows of cells as a left-aligned text table. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/**
 * Progress for long work: a redrawn bar on a terminal, plain start and end lines otherwise.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #label: string;
  readonly #interactive: boolean;
  #lastDraw = 0;

  constructor(stream: NodeJS.WriteStream, label: string) {
    this.#stream = stream;
    this.#label = label;
    this.#interactive = stream.isTTY === true;
    if (!this.#interactive) stream.write(`${label}: started\n`);
  }

  update(done: number, total: number): void {
    if (!this.#interactive) return;
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const now = Date.now();
    if (now - this.#lastDraw < 50 && fraction < 1) return;
    this.#lastDraw = now;
    this.#stream.write(`\r${bar(fraction)} ${percent(fraction)} ${this.#label}`);
  }

  finish(summary: string): void {
    if (this.#interactive) this.#stream.write(`\r\x1b[K`);
    this.#stream.write(`${this.#label}: ${summary}\n`);
  }
}
