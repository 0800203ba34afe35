// Reads vitest JSON result files and prints `N passed, N failed` from their real counts.
// Usage: node .ci/count.mjs <results.json>... <exit status of the run>
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const status = Number(args.pop());
let passed = 0;
let failed = 0;
for (const file of args) {
  if (!existsSync(file)) {
    console.log(`no results in ${file}: the test run did not finish`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A test file that failed to load has no tests to count: count it as a failure.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
  }
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
