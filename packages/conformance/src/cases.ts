/**
 * `@mmapkit/conformance/cases`: the parts of the suite that need no test runner — the
 * bad-input tables (the backends', with its fixture, and `@mmapkit/struct`'s), the error
 * matcher and the seeded data helpers — for runners other than vitest (the Windows run uses
 * `node --test`).
 */
export { badInputCases, openBadInputFixture } from './bad-input-cases.js';
export type { BadInputCase, BadInputFixture, OpenBadInputFixture } from './bad-input-cases.js';
export { structBadInputCases } from './struct-bad-input-cases.js';
export type { StructBadInputCase } from './struct-bad-input-cases.js';
export { errorMismatch, fileWith, mismatchOf, runChild, seededBytes, seededRandom, temporaryFolder } from './support.js';
export type { ChildResult, ChildStep, ExpectedError } from './support.js';
