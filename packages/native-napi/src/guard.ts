/**
 * The fault guard's JavaScript half: installs the addon's SIGBUS/SIGSEGV handler, and
 * re-installs it whenever a `process.on/off('SIGBUS'|'SIGSEGV')` listener change lets libuv
 * replace it (libuv installs its own handler without chaining; a fault on a guarded page
 * would then run again forever or kill the process). Errors are thrown by core's
 * `Mapping`, in JavaScript, never by the addon (nodejs/node#28409).
 */
import { systemError } from '@mmapkit/core';
import type { NativeAddon } from './addon.js';

/**
 * Marks a `process` that has the listener hooks: one pair per environment even when this
 * module is loaded several times (duplicate package copies, vitest's vm pools).
 */
const hooksMarker = Symbol.for('mmapkit.faultGuardHooks');

/** The handler was checked (and installed if needed) during the current event-loop turn. */
let checkedThisTurn = false;

/** The next guarded map checks (and installs) the handler again, even in this turn. */
export function forgetGuardCheck(): void {
  checkedThisTurn = false;
}

/**
 * Installs the handler unless it is in place (one `sigaction` read per signal when it is).
 * `adding` names a signal whose first listener is being added (not counted yet).
 */
function install(addon: NativeAddon, adding?: string): boolean {
  const listens = (signal: string): boolean => adding === signal || process.listenerCount(signal) > 0;
  return addon.guardInstall(listens('SIGSEGV'), listens('SIGBUS'));
}

/**
 * Makes sure the handler is installed, and on first use hooks `process`'s
 * `newListener`/`removeListener` events. Called by every guarded `map()`.
 *
 * # Errors
 * `ERR_MMAP_SYSTEM` when `sigaction` fails.
 */
export function ensureGuard(addon: NativeAddon): void {
  // Checking costs two sigaction calls: once per event-loop turn is enough, since listener
  // changes re-install at once (below). A handler replaced by other native code in the
  // middle of a turn is put back by the first guarded map of the next turn.
  if (!checkedThisTurn) {
    if (!install(addon)) {
      throw systemError('sigaction', 'EINVAL', 'the fault guard could not be installed.');
    }
    checkedThisTurn = true;
    setImmediate(() => {
      checkedThisTurn = false;
    }).unref();
  }
  const marked = process as unknown as Record<symbol, boolean | undefined>;
  if (marked[hooksMarker] === true) return;
  Object.defineProperty(process, hooksMarker, { value: true });
  const reinstall = (event: string | symbol, adding: boolean): void => {
    if (event !== 'SIGSEGV' && event !== 'SIGBUS') return;
    // Node's own listeners, added at bootstrap, run first and have started (or stopped)
    // libuv's handling by now. Check again once the current turn is over, in case
    // something else replaced the handler meanwhile.
    install(addon, adding ? event : undefined);
    setImmediate(() => install(addon)).unref();
  };
  process.on('newListener', (event: string | symbol) => reinstall(event, true));
  process.on('removeListener', (event: string | symbol) => reinstall(event, false));
}
