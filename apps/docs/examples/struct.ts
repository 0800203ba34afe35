import assert from 'node:assert/strict';
import { mapAnonymous } from 'mmapkit';
import { float64, struct, toCHeader, uint32 } from '@mmapkit/struct';

// A C-ABI layout: the same bytes a C program sees through `struct Point`.
const Point = struct('Point', { x: float64, y: float64, id: uint32, hits: uint32.atomic() });
assert.equal(Point.size, 24);

using memory = mapAnonymous(Point.size * 1000);
const points = Point.array(memory.bytes);
points.at(3).x = 1.5;
Point.atomic('hits').add(points.at(3), 1);
assert.equal(points.at(3).x, 1.5);
assert.equal(points.at(3).hits, 1);

// Share the layout with C.
assert.match(toCHeader(Point), /struct Point \{/);
