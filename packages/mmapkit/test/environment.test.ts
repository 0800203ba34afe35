import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers.js';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const distCommonJs = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));

const reportDefault = `
  const { defaultBackend } = await import(${JSON.stringify(distIndex)});
  const choice = defaultBackend();
  console.log(JSON.stringify({ name: choice.backend.name, reason: choice.reason, rejected: choice.rejected }));
`;

describe('the front door in different environments', () => {
  it('with `node --no-addons` no addon can load, and it falls back to fallback-fs with the reasons', async () => {
    const result = await runNode(['--no-addons', '--input-type=module', '-e', reportDefault], { environment: { MMAPKIT_BACKEND: undefined } });
    expect(result.stderr).toBe('');
    const choice = JSON.parse(result.stdout) as { name: string; rejected: Array<{ name: string; reason: string }> };
    expect(choice.name).toBe('fallback-fs');
    expect(choice.rejected.map((entry) => entry.name)).toEqual(['native-napi', 'ffi-koffi']);
    for (const entry of choice.rejected) expect(entry.reason).toMatch(/addons|ERR_DLOPEN_DISABLED/i);
  });

  it('MMAPKIT_BACKEND selects the backend for a whole process', async () => {
    const result = await runNode(['--input-type=module', '-e', reportDefault], { environment: { MMAPKIT_BACKEND: 'ffi-koffi' } });
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'ffi-koffi', reason: 'requested by MMAPKIT_BACKEND' });
  });

  it('an unknown MMAPKIT_BACKEND fails loudly instead of picking a default', async () => {
    const result = await runNode(['--input-type=module', '-e', reportDefault], { environment: { MMAPKIT_BACKEND: 'turbo' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/MMAPKIT_BACKEND.*'turbo'|turbo.*MMAPKIT_BACKEND/s);
  });

  it('the CommonJS build works with require() and maps a file', async () => {
    const source = `
      const { map, mapAnonymous } = require(${JSON.stringify(distCommonJs)});
      const mapping = mapAnonymous(4096);
      mapping.bytes[10] = 5;
      const self = map(__filename === '[eval]' ? process.execPath : __filename, { length: 4 });
      console.log(JSON.stringify({ anonymous: mapping.bytes[10], elf: [...self.bytes], backend: mapping.backend.name }));
      mapping.close(); self.close();
    `;
    const result = await runNode(['-e', source]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ anonymous: 5, elf: [0x7f, 0x45, 0x4c, 0x46], backend: 'native-napi' });
  });
});
