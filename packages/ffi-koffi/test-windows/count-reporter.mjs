// A node --test reporter that writes one JSON object: the tests passed and failed, and the
// name and error of each failure. A suite whose hook failed (before/after) counts as one
// failed test; a suite that failed only because tests in it failed adds nothing more; a
// test file that could not run at all is reported by node --test as a failed test.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, details } = event.data;
    const isSuite = details?.type === 'suite';
    if (event.type === 'test:pass') {
      if (!isSuite) passed += 1;
      continue;
    }
    const error = details?.error;
    const failureType = error?.failureType;
    if (isSuite && failureType !== 'hookFailed') continue;
    // A test failing only because a subtest failed is counted by that subtest.
    if (failureType === 'subtestsFailed') continue;
    failed += 1;
    const cause = error?.cause ?? error;
    failures.push({ name, file: event.data.file, error: String(cause?.message ?? cause).slice(0, 2000) });
  }
  yield `${JSON.stringify({ numPassedTests: passed, numFailedTests: failed, failures })}\n`;
}
