// The one way a benchmark reports a target from the issues.
//
//   import { recordTarget } from './lib/targets.mjs';
//   recordTarget({ issue: 6, target: 'struct cursor vs hand-written DataView', goal: '≤ 1.2x', ratios: perRoundRatios });
//
// `ratios` holds one ratio per round, each measured against a baseline run in the same round.
// For a `≤` goal a ratio is "our time / the baseline's time" (lower is better); for a `≥` goal it
// is "the baseline's time / our time" (how many times faster; higher is better). The target
// passes when the median of the rounds meets the goal. An absolute goal ('≤ 100 ns') takes the
// per-round values in its unit instead of ratios.
//
// When the environment variable BENCH_RESULTS names a file, one JSON line is appended to it:
//   {"issue":6,"target":"...","goal":"≤ 1.2x","measured":1.19,"min":1.15,"max":1.21,"pass":true}
// (`node bench/run.mjs --summary` sets it and prints every line as one table.)
import { appendFileSync } from 'node:fs';

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Parses a goal such as `'≤ 1.2x'`, `'>= 2x'`, `'≥ 20x'` or `'≤ 100 ns'` (an absolute goal: the
 * measured values are then in that unit), optionally followed by a note in parentheses.
 * Returns its direction, bound and unit (`'x'` when none is written).
 * @throws {TypeError} for any other text, so that a typo in a bench script fails loudly.
 */
export function parseGoal(goal) {
  const match = /^\s*(≤|<=|≥|>=)\s*(\d+(?:\.\d+)?)\s*(x|ns|µs|ms|s|B|KiB|MiB)?\s*(?:\(.*\))?\s*$/.exec(String(goal));
  if (match === null)
    throw new TypeError(`goal must read like '≤ 1.2x', '≥ 2x' or '≤ 100 ns', got ${JSON.stringify(goal)}`);
  return { atMost: match[1] === '≤' || match[1] === '<=', bound: Number(match[2]), unit: match[3] ?? 'x' };
}

/** `1.19x` or `31.2 ns`: a measured value in the unit of its goal. */
export function formatMeasured(goal, value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  const { unit } = parseGoal(goal);
  return unit === 'x' ? `${value}x` : `${value} ${unit}`;
}

/** Whether a measured ratio meets a goal string. */
export function meetsGoal(goal, measured) {
  const { atMost, bound } = parseGoal(goal);
  return atMost ? measured <= bound : measured >= bound;
}

/**
 * Summarises per-round ratios for one target (median, min, max, pass), appends the JSON line
 * to BENCH_RESULTS when it is set, and returns the record.
 */
export function recordTarget({ issue, target, goal, ratios }) {
  parseGoal(goal);
  if (!Number.isInteger(issue)) throw new TypeError(`issue must be an issue number, got ${JSON.stringify(issue)}`);
  if (!Array.isArray(ratios) || ratios.length === 0 || !ratios.every(Number.isFinite)) {
    throw new TypeError(`ratios of '${target}' must be a non-empty list of finite numbers`);
  }
  const measured = median(ratios);
  const record = {
    issue,
    target,
    goal,
    measured: round(measured),
    min: round(Math.min(...ratios)),
    max: round(Math.max(...ratios)),
    pass: meetsGoal(goal, measured),
  };
  const file = process.env.BENCH_RESULTS;
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(record)}\n`);
  return record;
}

/** `1.19x (1.15x–1.21x), goal ≤ 1.2x: pass`: how a bench script prints a recorded target. */
export function describeRecord(record) {
  const format = (value) => formatMeasured(record.goal, value);
  return `${format(record.measured)} (${format(record.min)}–${format(record.max)}), goal ${record.goal}: ${record.pass ? 'pass' : 'FAIL'}`;
}

function round(value) {
  return Number(value.toPrecision(3));
}
