/**
 * `@mmapkit/conformance/cases`: the parts of the suite that need no test runner, for every
 * package's tests and for runners other than vitest (the Windows run uses `node --test`): the
 * bad-input tables (the backends', with its fixture, and `@mmapkit/struct`'s), the error
 * matcher, seeded data, temporary folders, and the one way to run child Node processes.
 */
export { badInputCases, openBadInputFixture } from './bad-input-cases.js';
export type { BadInputCase, BadInputFixture, OpenBadInputFixture } from './bad-input-cases.js';
export { structBadInputCases } from './struct-bad-input-cases.js';
export type { StructBadInputCase } from './struct-bad-input-cases.js';
export { fixtureReport, fixtureRunner, runFixture, runNode, runNodeScript } from './processes.js';
export type { FixtureResult, ProcessResult, RunNodeOptions } from './processes.js';
export { errorMismatch, fileWith, mismatchOf, runChild, seededBytes, seededRandom, temporaryFolder } from './support.js';
export type { ChildResult, ChildStep, ExpectedError, TemporaryFolder } from './support.js';
