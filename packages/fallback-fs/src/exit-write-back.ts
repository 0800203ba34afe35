/**
 * The last chance for unsynced changes: when the process (or worker thread) exits normally
 * — the end of the program, `process.exit()`, an uncaught exception — every shared mapping
 * still open writes its changes back. `'exit'` listeners run synchronously, which is enough
 * for `writeSync`. A process killed by a signal runs no listener: nothing can help there.
 *
 * One listener per process, not one per mapping: it is added when the first mapping that
 * may hold changes opens and removed when the last one is closed or collected.
 *
 * @packageDocumentation
 */

/** A mapping that may hold changes the file does not have yet. */
export interface ExitWriteBack {
  /** Writes the changes back; must not throw (runs inside the `'exit'` listener). */
  writeBackAtExit(): void;
}

/**
 * Mappings still open. Strong references are harmless here: the `Mapping` front keeps its
 * backend mapping alive until it is closed or collected anyway, and both remove it.
 */
const openMappings = new Set<ExitWriteBack>();

function writeBackAll(): void {
  for (const mapping of openMappings) mapping.writeBackAtExit();
  openMappings.clear();
}

/** Writes `mapping`'s changes back at exit unless it is {@link forgetAtExit forgotten} first. */
export function writeBackAtExit(mapping: ExitWriteBack): void {
  if (openMappings.size === 0) process.on('exit', writeBackAll);
  openMappings.add(mapping);
}

/** The mapping was closed or released: nothing to do at exit for it any more. */
export function forgetAtExit(mapping: ExitWriteBack): void {
  if (openMappings.delete(mapping) && openMappings.size === 0) process.off('exit', writeBackAll);
}
