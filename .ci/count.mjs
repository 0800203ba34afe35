// Reads vitest JSON result files and prints `N passed, N failed` from their real counts.
//
// Usage, one run:     node .ci/count.mjs <results.json>... <exit status of the run>
// Usage, several runs (one line per run, then the combined line last):
//   node .ci/count.mjs --run <label> <results.json> <exit status> [--run ...]
//                      [--check <label> <exit status>]   a check that counts as one test
//                      [--fail <label> <reason>]         a run that could not happen: one failure
import { existsSync, readFileSync } from 'node:fs';

/** Counts of one vitest JSON results file; a missing file or a non-zero exit is a failure. */
function countRun(files, status) {
  let passed = 0;
  let failed = 0;
  const notes = [];
  for (const file of files) {
    if (!existsSync(file)) {
      notes.push(`no results in ${file}: the test run did not finish`);
      failed += 1;
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A test file that failed to load has no tests to count: count it as a failure.
    for (const suite of report.testResults ?? []) {
      if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
        notes.push(`${suite.name} did not load`);
        failed += 1;
      }
    }
  }
  if (status !== 0 && failed === 0) {
    notes.push(`exit status ${status} with no failed test`);
    failed = 1;
  }
  return { passed, failed, notes };
}

function usage(message) {
  console.log(`count.mjs: ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const args = process.argv.slice(2);
const runs = [];
if (args[0]?.startsWith('--')) {
  for (let index = 0; index < args.length; ) {
    const [flag, label, value, status] = args.slice(index, index + 4);
    if (flag === '--run' && status !== undefined) {
      runs.push({ label, ...countRun([value], Number(status)) });
      index += 4;
    } else if (flag === '--check' && value !== undefined) {
      const ok = Number(value) === 0;
      runs.push({ label, passed: ok ? 1 : 0, failed: ok ? 0 : 1, notes: ok ? [] : [`exit status ${value}`] });
      index += 3;
    } else if (flag === '--fail' && value !== undefined) {
      runs.push({ label, passed: 0, failed: 1, notes: [value] });
      index += 3;
    } else {
      usage(`cannot read the arguments from ${JSON.stringify(args.slice(index))}`);
    }
  }
} else {
  if (args.length < 1) usage('no exit status given');
  const status = Number(args.pop());
  runs.push({ label: undefined, ...countRun(args, status) });
}

let passed = 0;
let failed = 0;
for (const run of runs) {
  passed += run.passed;
  failed += run.failed;
  if (run.label === undefined) {
    for (const note of run.notes) console.log(note);
  } else {
    const notes = run.notes.length > 0 ? ` (${run.notes.join('; ')})` : '';
    console.log(`${run.label}: ${run.passed} passed, ${run.failed} failed${notes}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
