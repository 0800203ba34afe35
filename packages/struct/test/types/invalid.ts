/** Compiled by `types.test.ts`: must fail with exactly the errors the test expects. */
import { string, struct, uint32 } from '../../src/index.js';

const Point = struct('Point', { x: uint32, label: string(8) });
const point = Point.create();
point.x = 'not a number';
point.label = 42;
point.z = 1;
