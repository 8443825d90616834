/** The browser engine stops and restarts a worker whose user-kernel check never answers. */
import type { Remote } from 'comlink';
import { describe, expect, it, vi } from 'vitest';
import type { AttentionConfig, Correctness } from '../../model/index.ts';
import type { UserCheckOutcome, WorkerApi } from '../../worker/api.ts';
import { BrowserEngine, type EngineClient } from './engine.svelte.ts';

const CONFIG: AttentionConfig = {
  batch: 1,
  heads: 1,
  seqLen: 8,
  headDim: 8,
  causal: false,
  dtype: 'f32',
};
const SPEC = { language: 'wgsl' as const, source: 'loop {}', like: 'flash-f32' };
const PASSED: Correctness = {
  reference: 'f64-cpu',
  rowsChecked: 8,
  rowsTotal: 8,
  maxAbsErr: 0,
  relL2Err: 0,
  tolerance: 1e-5,
  passed: true,
};

/** A worker API whose checks hang (never settle) or pass, and a count of clients made. */
function fakeLoader(hang: boolean) {
  const made: { terminate: ReturnType<typeof vi.fn> }[] = [];
  const loader = (): Promise<EngineClient> => {
    const api = {
      init: () => Promise.resolve({ state: 'ready', env: {}, kernels: [] }),
      checkUser: (): Promise<UserCheckOutcome> =>
        hang
          ? new Promise<UserCheckOutcome>(() => undefined)
          : Promise.resolve({ ok: true, correctness: PASSED, kernelParams: {} }),
    } as unknown as Remote<WorkerApi>;
    const client = { api, terminate: vi.fn() };
    made.push(client);
    return Promise.resolve(client);
  };
  return { loader, made };
}

describe('BrowserEngine.checkUser', () => {
  if (typeof globalThis.navigator === 'undefined' || !('gpu' in globalThis.navigator)) {
    // init() refuses without navigator.gpu; the fake worker needs only its presence.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true });
  }
  if (typeof window === 'undefined') {
    Object.defineProperty(globalThis, 'window', {
      value: { isSecureContext: true },
      configurable: true,
    });
  }

  it('stops a worker whose check never answers, starts a new one and says why', async () => {
    const { loader, made } = fakeLoader(true);
    const engine = new BrowserEngine(loader, 50);
    await engine.init();
    expect(engine.status.state).toBe('ready');
    await expect(engine.checkUser(SPEC, CONFIG, 1)).rejects.toThrow(
      /did not finish within 0\.05 s — the shader may never end .* restarted; your text is kept/,
    );
    expect(made[0]?.terminate).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => {
      expect(made).toHaveLength(2);
      expect(engine.status.state).toBe('ready');
    });
  });

  it('leaves a worker that answers in time alone', async () => {
    const { loader, made } = fakeLoader(false);
    const engine = new BrowserEngine(loader, 50);
    await engine.init();
    const out = await engine.checkUser(SPEC, CONFIG, 1);
    expect(out.ok).toBe(true);
    expect(made).toHaveLength(1);
    expect(made[0]?.terminate).not.toHaveBeenCalled();
  });
});
