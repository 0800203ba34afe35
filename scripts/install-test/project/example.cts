// The same from CommonJS: `import ... from` in a .cts file compiles to require().
import { isMmapError, map, type MmapErrorCode } from 'mmapkit';
import { struct, uint32 } from '@mmapkit/struct';

const Counter = struct('Counter', { value: uint32.atomic() });

export function bump(path: string): number | MmapErrorCode {
  try {
    using mapping = map(path, { protection: 'read-write', length: Counter.size });
    return Counter.atomic('value').add(Counter.view(mapping.bytes), 1);
  } catch (error) {
    if (isMmapError(error)) return error.code;
    throw error;
  }
}
