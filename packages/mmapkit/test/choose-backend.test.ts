import { MmapError, type Backend, type BackendCandidate } from '@mmapkit/core';
import { describe, expect, it } from 'vitest';
import { backends, chooseBackend, loadBackend } from '../src/index.js';

const fallback = loadBackend('fallback-fs');

/** A stand-in for a backend: fallback-fs's behaviour under another name and zero-copy flag. */
function fakeBackend(name: string, zeroCopy: boolean, probe: () => void = () => undefined): Backend {
  return { ...fallback, name, capabilities: Object.freeze({ ...fallback.capabilities, zeroCopy }), probe, map: fallback.map.bind(fallback) };
}

function candidate(name: string, load: () => Backend): BackendCandidate {
  return { name, load };
}

const failsToLoad = (name: string) => () => {
  throw new MmapError('ERR_MMAP_BACKEND_UNAVAILABLE', `${name} did not load (simulated)`);
};
const refusesExternalBuffers = () => {
  throw new MmapError('ERR_MMAP_EXTERNAL_BUFFERS_REFUSED', 'this runtime refuses external buffers (simulated)');
};

describe('choosing a backend', () => {
  const native = candidate('native-napi', () => fakeBackend('native-napi', true));
  const koffi = candidate('ffi-koffi', () => fakeBackend('ffi-koffi', true));
  const fs = candidate('fallback-fs', () => fallback);

  it('takes the first candidate that loads and passes its probe, in order', () => {
    const choice = chooseBackend({ candidates: [native, koffi, fs], environment: {} });
    expect(choice.backend.name).toBe('native-napi');
    expect(choice.rejected).toEqual([]);
    expect(choice.reason).toMatch(/first choice/);
  });

  it.each([
    ['native-napi fails to load', [candidate('native-napi', failsToLoad('native-napi')), koffi, fs], 'ffi-koffi', ['native-napi']],
    ['native-napi and ffi-koffi fail to load', [candidate('native-napi', failsToLoad('native-napi')), candidate('ffi-koffi', failsToLoad('ffi-koffi')), fs], 'fallback-fs', ['native-napi', 'ffi-koffi']],
    ['ffi-koffi fails to load (native still first)', [native, candidate('ffi-koffi', failsToLoad('ffi-koffi')), fs], 'native-napi', []],
  ] as const)('when %s, chooses %s and says why the others were rejected', (_what, candidates, chosen, rejected) => {
    const choice = chooseBackend({ candidates, environment: {} });
    expect(choice.backend.name).toBe(chosen);
    expect(choice.rejected.map((entry) => entry.name)).toEqual(rejected);
    for (const entry of choice.rejected) expect(entry.reason).toMatch(/did not load \(simulated\)/);
  });

  it('a runtime that refuses external buffers skips every zero-copy backend and falls back to fallback-fs', () => {
    let koffiProbed = false;
    const koffiThatWouldCrash = candidate('ffi-koffi', () =>
      fakeBackend('ffi-koffi', true, () => {
        koffiProbed = true;
      }),
    );
    const choice = chooseBackend({
      candidates: [candidate('native-napi', () => fakeBackend('native-napi', true, refusesExternalBuffers)), koffiThatWouldCrash, fs],
      environment: {},
    });
    expect(choice.backend.name).toBe('fallback-fs');
    expect(koffiProbed).toBe(false);
    expect(choice.rejected.map((entry) => entry.name)).toEqual(['native-napi', 'ffi-koffi']);
    expect(choice.rejected[1]?.reason).toMatch(/refuses external buffers \(found by native-napi\)/);
  });

  it('when nothing works, ERR_MMAP_NO_BACKEND lists every reason', () => {
    expect(() => chooseBackend({ candidates: [candidate('native-napi', failsToLoad('native-napi')), candidate('fallback-fs', failsToLoad('fallback-fs'))], environment: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_NO_BACKEND', message: expect.stringMatching(/native-napi: .*fallback-fs: /) }),
    );
  });

  it('MMAPKIT_BACKEND picks a backend by name, even when another comes first', () => {
    const choice = chooseBackend({ candidates: [native, koffi, fs], environment: { MMAPKIT_BACKEND: 'fallback-fs' } });
    expect(choice.backend.name).toBe('fallback-fs');
    expect(choice.reason).toMatch(/MMAPKIT_BACKEND/);
  });

  it('the backend option wins over MMAPKIT_BACKEND, by name or as an object', () => {
    expect(chooseBackend({ candidates: [native, koffi, fs], environment: { MMAPKIT_BACKEND: 'fallback-fs' }, backend: 'ffi-koffi' }).backend.name).toBe('ffi-koffi');
    const custom = fakeBackend('custom', false);
    expect(chooseBackend({ candidates: [native], environment: { MMAPKIT_BACKEND: 'native-napi' }, backend: custom }).backend).toBe(custom);
  });

  it('an unknown name is a RangeError naming where it came from, never a silent default', () => {
    expect(() => chooseBackend({ candidates: [native, fs], environment: { MMAPKIT_BACKEND: 'nativ' } })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('MMAPKIT_BACKEND') }),
    );
    expect(() => chooseBackend({ candidates: [native, fs], environment: {}, backend: 'mmap' as never })).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('options.backend') }),
    );
  });

  it('a named backend that cannot load is ERR_MMAP_BACKEND_UNAVAILABLE with its reason', () => {
    expect(() => chooseBackend({ candidates: [candidate('native-napi', failsToLoad('native-napi')), fs], environment: { MMAPKIT_BACKEND: 'native-napi' } })).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_BACKEND_UNAVAILABLE', message: expect.stringContaining('did not load (simulated)') }),
    );
  });

  it('backends() reports every backend with whether it works here and why not', () => {
    const reports = backends([candidate('native-napi', failsToLoad('native-napi')), fs]);
    expect(reports.map(({ name, available }) => ({ name, available }))).toEqual([
      { name: 'native-napi', available: false },
      { name: 'fallback-fs', available: true },
    ]);
    expect(reports[0]?.reason).toMatch(/simulated/);
    expect(reports[1]?.backend).toBe(fallback);
  });

  it('every real backend loads on this machine (Linux x64 with a compiler)', () => {
    const reports = backends();
    expect(reports.map((report) => [report.name, report.available, report.reason])).toEqual([
      ['native-napi', true, undefined],
      ['ffi-koffi', true, undefined],
      ['fallback-fs', true, undefined],
    ]);
  });

  it("the native backend's real refusal switch makes the front door fall back to fallback-fs", async () => {
    const native = (await import('@mmapkit/native-napi/testing')) as { setExternalBuffersRefusedForTesting: (refused: boolean) => void };
    native.setExternalBuffersRefusedForTesting(true);
    try {
      const choice = chooseBackend({ environment: {} });
      expect(choice.backend.name).toBe('fallback-fs');
      expect(choice.rejected.map((entry) => entry.name)).toEqual(['native-napi', 'ffi-koffi']);
    } finally {
      native.setExternalBuffersRefusedForTesting(false);
    }
    expect(chooseBackend({ environment: {} }).backend.name).toBe('native-napi');
  });
});
