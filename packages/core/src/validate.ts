import { MmapRangeError, MmapTypeError } from './errors.js';

/** Throws unless `value` is a plain object (or `undefined`, which gives `{}`). Unknown keys are rejected with a hint. */
export function validateOptionsObject<T extends object>(value: unknown, name: string, knownKeys: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MmapTypeError(name, 'an object', value);
  }
  for (const key of Object.keys(value)) {
    if (!knownKeys.includes(key)) {
      const hint = closestName(key, knownKeys);
      throw new MmapTypeError(
        `${name}.${key}`,
        `one of the known options (${knownKeys.join(', ')})${hint === undefined ? '' : `; did you mean "${hint}"?`}`,
        (value as Record<string, unknown>)[key],
      );
    }
  }
  return value as Partial<T>;
}

/** Throws unless `value` is a safe integer in `[minimum, maximum]`. */
export function validateInteger(value: unknown, name: string, minimum = 0, maximum = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw new MmapTypeError(name, 'of type number', value);
  if (!Number.isInteger(value)) {
    throw new MmapRangeError(name, 'an integer', value);
  }
  if (value < minimum || value > maximum) {
    throw new MmapRangeError(name, `>= ${minimum} and <= ${maximum}`, value);
  }
  return value;
}

/** Throws unless `value` is `true` or `false`; `undefined` gives `fallback`. */
export function validateBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new MmapTypeError(name, 'of type boolean', value);
  return value;
}

/** Throws unless `value` is one of `allowed`; `undefined` gives `fallback`. */
export function validateOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') {
    throw new MmapTypeError(name, `one of ${allowed.map((entry) => `'${entry}'`).join(', ')}`, value);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    const hint = closestName(value, allowed);
    throw new MmapRangeError(
      name,
      `one of ${allowed.map((entry) => `'${entry}'`).join(', ')}${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`,
      value,
      'ERR_INVALID_ARG_VALUE',
    );
  }
  return value as T;
}

/** The closest of `candidates` to `name` by edit distance, if it is close enough to be a typo. */
function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

const portableSharedMemoryName = /^\/[A-Za-z0-9._-]{1,250}$/;

/**
 * Checks a POSIX shared-memory name (`shm_open`) and returns it with its leading `/`.
 * Portable names only: an optional leading `/`, then 1 to 250 of `A-Z a-z 0-9 . _ -`
 * (no other `/`, which `shm_open` would misread). Backends receive names already checked.
 *
 * # Errors
 * `TypeError` for a non-string; `RangeError` (`ERR_INVALID_ARG_VALUE`) for anything else
 * outside the portable set.
 *
 * @example
 * ```ts
 * normalizeSharedMemoryName('cache.v1'); // '/cache.v1'
 * ```
 */
export function normalizeSharedMemoryName(name: unknown, argument = 'name'): string {
  if (typeof name !== 'string') throw new MmapTypeError(argument, 'a string', name);
  const withSlash = name.startsWith('/') ? name : `/${name}`;
  if (!portableSharedMemoryName.test(withSlash) || withSlash === '/.' || withSlash === '/..') {
    throw new MmapRangeError(argument, "a portable name: an optional leading '/', then 1 to 250 of A-Z a-z 0-9 . _ -", name, 'ERR_INVALID_ARG_VALUE');
  }
  return withSlash;
}
