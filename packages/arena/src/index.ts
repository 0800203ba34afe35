export { Arena } from './arena.js';
export type { ArenaSharing, TypedArrayConstructor } from './arena.js';
export type {
  AllocOptions,
  ArenaKind,
  ArenaProblem,
  ArenaStats,
  CommonArenaOptions,
  CreateArenaOptions,
  OpenArenaOptions,
  SizeClassCount,
} from './api.js';
export { ArenaError, isArenaError } from './errors.js';
export type { ArenaErrorCode, ArenaErrorDetails } from './errors.js';
