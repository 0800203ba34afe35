import type { Advice, Protection, Sharing, UncheckedAdvice, UncheckedProtection } from './api.js';

/** Every `Protection` value, in order of increasing access. */
export const protections: readonly Protection[] = Object.freeze(['none', 'read', 'read-write']);

/** Every `UncheckedProtection` value. */
export const uncheckedProtections: readonly UncheckedProtection[] = Object.freeze(['read-exec', 'read-write-exec']);

/** Every `Sharing` value. */
export const sharings: readonly Sharing[] = Object.freeze(['shared', 'private']);

/** Every safe `Advice` value. */
export const advices: readonly Advice[] = Object.freeze([
  'normal',
  'random',
  'sequential',
  'willneed',
  'hugepage',
  'nohugepage',
  'dontfork',
  'dofork',
  'dontdump',
  'dodump',
  'populate-read',
  'populate-write',
  'cold',
  'pageout',
]);

/** Every content-discarding `UncheckedAdvice` value. */
export const uncheckedAdvices: readonly UncheckedAdvice[] = Object.freeze(['dontneed', 'free', 'remove']);
