import { fixtureRunner } from '@mmapkit/conformance/cases';

/** Runs `test/fixtures/<name>` in a new Node process (fixtures import the built `dist/`). */
export const runFixture = fixtureRunner(new URL('./fixtures/', import.meta.url));

export { fixtureReport, runNode, seededBytes, temporaryFolder } from '@mmapkit/conformance/cases';
export type { FixtureResult } from '@mmapkit/conformance/cases';
