// bench/run.mjs is the repository's benchmark runner; its --help and --summary --from are plain
// command-line behaviour that can be checked without timing anything.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers.js';

const runner = fileURLToPath(new URL('../../../bench/run.mjs', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/bench-results.jsonl', import.meta.url));

describe('bench/run.mjs', () => {
  it('--help lists the benchmarks and options, runs none of them and exits 0', async () => {
    const result = await runNode([runner, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--summary/);
    expect(result.stdout).toMatch(/--from FILE/);
    expect(result.stdout).toMatch(/^ {2}native\.mjs /m);
    expect(result.stdout).toMatch(/^ {2}struct\.mjs /m);
    // Each benchmark run prints a "=== bench/<name>" banner first: none may appear.
    expect(result.stdout).not.toMatch(/=== bench\//);
  });

  it('--summary --from FILE prints one table of every recorded target with pass or FAIL, running nothing', async () => {
    const result = await runNode([runner, '--summary', '--from', fixture]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/=== bench\//);
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('| #'));
    expect(rows).toHaveLength(4);
    // Sorted by issue; each row: issue, target, goal, median, min–max, result.
    const cells = rows.map((row) =>
      row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
    expect(cells[0]?.slice(0, 3)).toEqual(['#3', 'map + sum + close of 1 GiB vs createReadStream', '≥ 2x']);
    expect(cells[0]?.slice(3)).toEqual(['1.24x', '1.02x–1.31x', 'FAIL']);
    expect(cells[1]?.slice(3)).toEqual(['31.4x', '28.9x–33x', 'pass']);
    expect(cells[2]?.slice(0, 1)).toEqual(['#6']);
    expect(cells[2]?.slice(3)).toEqual(['1.13x', '1.1x–1.19x', 'pass']);
    // An absolute goal is shown in its own unit.
    expect(cells[3]?.slice(2)).toEqual(['≤ 100 ns', '31.2 ns', '30.7 ns–39 ns', 'pass']);
    expect(result.stdout).toMatch(/3 of 4 targets pass\./);
  });

  it('an unknown option is refused with exit code 2 and the usage, running nothing', async () => {
    const result = await runNode([runner, '--no-such-option']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--no-such-option'/);
    expect(result.stdout).not.toMatch(/=== bench\//);
  });
});
