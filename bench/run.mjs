// Runs the benchmarks in this folder, one process each, in a fixed order, and can end with one
// table of every target the benchmarks recorded (see bench/lib/targets.mjs).
//
// A benchmark is any bench/*.mjs file other than this one: a new script joins by being there.
// Shared code lives in bench/lib/. Run `node bench/run.mjs --help` for the options.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatMeasured } from './lib/targets.mjs';

const folder = dirname(fileURLToPath(import.meta.url));

const usage = `Usage: node bench/run.mjs [options] [name...]

Runs every benchmark (or those whose file name starts with one of the names), each in its own
process (node --expose-gc), printing its ratios against baselines measured in the same run.

Options:
  --summary      also collect every target the benchmarks record (through BENCH_RESULTS, a
                 temporary file) and end with one table: issue, target, goal, measured ratio
                 (median of rounds, min–max) and pass/fail
  --from FILE    print the summary table of a BENCH_RESULTS file and run nothing
  --save FILE    with --summary: also write the results to FILE (JSON lines, with a first
                 { meta: { date, machine, node, command } } line); the docs site draws
                 its benchmark page from bench/results/*.jsonl
  --help         print this text and the list of benchmarks, run nothing

Benchmarks:`;

function benchmarks() {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs')
    .sort();
}

/** The first comment line of a benchmark, for the list in --help. */
function describeBenchmark(name) {
  const firstLine = readFileSync(join(folder, name), 'utf8').split('\n')[0] ?? '';
  return firstLine.startsWith('//') ? firstLine.slice(2).trim() : '';
}

function printHelp() {
  console.log(usage);
  for (const name of benchmarks()) console.log(`  ${name.padEnd(18)} ${describeBenchmark(name)}`);
}

/** Writes a results file with a meta line first: where, when and how it was measured. */
function saveResults(file, text) {
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}`,
    node: process.version,
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`,
  };
  writeFileSync(file, `${JSON.stringify({ meta })}\n${text}`);
  console.log(`results saved to ${file}`);
}

/** The records of a BENCH_RESULTS file; lines that are not JSON objects are reported, not fatal. */
export function readResults(text) {
  const records = [];
  const problems = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line);
      if (record === null || typeof record !== 'object') throw new TypeError('not an object');
      records.push(record);
    } catch (error) {
      problems.push(
        `line ${index + 1} is not a target record: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return { records, problems };
}

/** A record's value in its goal's unit; '-' when the goal does not parse. */
function formatValue(record, value) {
  try {
    return formatMeasured(record.goal, value);
  } catch {
    return typeof value === 'number' ? String(value) : '-';
  }
}

/** One table of every record, sorted by issue, with a count of passes at the end. */
export function summaryTable(records, failedScripts = []) {
  const header = ['issue', 'target', 'goal', 'measured (median)', 'min–max', 'result'];
  const rows = [...records]
    .sort((left, right) => Number(left.issue) - Number(right.issue))
    .map((record) => [
      `#${record.issue}`,
      String(record.target),
      String(record.goal),
      formatValue(record, record.measured),
      `${formatValue(record, record.min)}–${formatValue(record, record.max)}`,
      record.pass === true ? 'pass' : 'FAIL',
    ]);
  for (const script of failedScripts) rows.push(['-', `bench/${script} did not finish`, '-', '-', '-', 'FAIL']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const passed = records.filter((record) => record.pass === true).length;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    `${passed} of ${records.length} targets pass${failedScripts.length > 0 ? `; ${failedScripts.length} benchmark(s) did not finish` : ''}.`,
  ].join('\n');
}

function runBenchmarks(wanted, environment) {
  const scripts = benchmarks().filter(
    (name) => wanted.length === 0 || wanted.some((prefix) => name.startsWith(prefix)),
  );
  const failed = [];
  for (const script of scripts) {
    console.log(`\n=== bench/${script}`);
    const result = spawnSync(process.execPath, ['--expose-gc', join(folder, script)], {
      stdio: 'inherit',
      env: environment,
    });
    if (result.status !== 0) {
      failed.push(script);
      console.log(`bench/${script} failed (exit ${result.status}, signal ${result.signal})`);
    }
  }
  return failed;
}

function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { help: { type: 'boolean' }, summary: { type: 'boolean' }, from: { type: 'string' }, save: { type: 'string' } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage.split('\n\nBenchmarks:')[0]}`);
    process.exitCode = 2;
    return;
  }
  const { values, positionals } = parsed;
  if (values.help) return printHelp();
  if (values.from !== undefined) {
    const { records, problems } = readResults(readFileSync(values.from, 'utf8'));
    for (const problem of problems) console.log(`note: ${values.from} ${problem}`);
    console.log(summaryTable(records));
    return;
  }
  if (!values.summary) {
    if (runBenchmarks(positionals, process.env).length > 0) process.exitCode = 1;
    return;
  }
  const resultsFolder = mkdtempSync(join(tmpdir(), 'mmapkit-bench-results-'));
  const resultsFile = join(resultsFolder, 'results.jsonl');
  try {
    const failed = runBenchmarks(positionals, { ...process.env, BENCH_RESULTS: resultsFile });
    let text = '';
    try {
      text = readFileSync(resultsFile, 'utf8');
    } catch {
      // No benchmark recorded anything: the table says so.
    }
    console.log(
      `\n=== summary (node ${process.version}; ratios are medians over rounds, each against a baseline of the same round)`,
    );
    console.log(summaryTable(readResults(text).records, failed));
    if (values.save) saveResults(values.save, text);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    rmSync(resultsFolder, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
