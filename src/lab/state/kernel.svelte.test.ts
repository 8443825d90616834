import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttentionConfig, Correctness, Env, ResultFile } from '../../model/index.ts';
import type { UserCheckOutcome, UserCompileOutcome } from '../../worker/api.ts';
import type { BrowserEngineStatus } from '../engine/engine.svelte.ts';
import type { SavedKernel } from '../store/db.ts';
import type { TargetRef } from '../lib/targets.ts';
import type { KernelEngine, KernelStore, WgslKernelSpec } from '../kernel/deps.ts';
import { COMPILE_DELAY_MS, KernelState, OPEN_KERNEL_KEY } from './kernel.svelte.ts';

const CONFIG: AttentionConfig = {
  batch: 1,
  heads: 1,
  seqLen: 64,
  headDim: 32,
  causal: false,
  dtype: 'f32',
};

const correctness = (passed: boolean): Correctness => ({
  reference: 'f64-cpu',
  rowsChecked: 64,
  rowsTotal: 64,
  maxAbsErr: passed ? 1e-7 : 0.5,
  relL2Err: passed ? 1e-7 : 0.2,
  tolerance: 1e-4,
  passed,
  ...(passed ? {} : { note: 'first mismatch at [b=0, h=0, s=3, d=1] (got 0.1, want 0.200000)' }),
});

/** An engine whose answers the test decides: text containing BROKEN fails to compile, BAD fails the check. */
class FakeEngine implements KernelEngine {
  status: BrowserEngineStatus = { state: 'ready', env: {} as unknown as Env, kernels: [] };
  inits = 0;
  checkSeeds: number[] = [];
  loseNextCheck = false;
  compileUser(spec: WgslKernelSpec): Promise<UserCompileOutcome> {
    const line = spec.source.split('\n').findIndex((l) => l.includes('BROKEN')) + 1;
    return Promise.resolve(
      line > 0
        ? {
            kernel: null,
            messages: [{ type: 'error', file: 'user', line, column: 2, message: 'expected ;' }],
          }
        : { kernel: spec.name ?? 'k', messages: [] },
    );
  }
  checkUser(
    spec: WgslKernelSpec,
    _config: AttentionConfig,
    seed: number,
  ): Promise<UserCheckOutcome> {
    this.checkSeeds.push(seed);
    if (this.loseNextCheck) {
      this.loseNextCheck = false;
      return Promise.resolve({
        ok: false,
        code: 'internal',
        message: 'correctness check: the GPU device was lost (unknown: hang)',
        deviceLost: true,
      });
    }
    return Promise.resolve({
      ok: true,
      correctness: correctness(!spec.source.includes('BAD')),
      kernelParams: {},
    });
  }
  init(): Promise<void> {
    this.inits += 1;
    return Promise.resolve();
  }
}

class MapStore implements KernelStore {
  readonly map = new Map<string, SavedKernel>();
  allKernels(): Promise<SavedKernel[]> {
    return Promise.resolve([...this.map.values()]);
  }
  putKernel(kernel: SavedKernel): Promise<void> {
    this.map.set(kernel.name, kernel);
    return Promise.resolve();
  }
  renameKernel(from: string, to: string): Promise<void> {
    const old = this.map.get(from);
    if (!old) return Promise.reject(new Error(`no kernel named "${from}" is saved`));
    if (this.map.has(to))
      return Promise.reject(new Error(`a kernel named "${to}" is already saved`));
    this.map.delete(from);
    this.map.set(to, { ...old, name: to });
    return Promise.resolve();
  }
  deleteKernel(name: string): Promise<void> {
    this.map.delete(name);
    return Promise.resolve();
  }
}

function kvStore(): { getItem(k: string): string | null; setItem(k: string, v: string): void } {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
}

function setup(options: { store?: MapStore; kv?: ReturnType<typeof kvStore> } = {}) {
  const engine = new FakeEngine();
  const store = options.store ?? new MapStore();
  const kv = options.kv ?? kvStore();
  const runs: TargetRef[] = [];
  const compares: [TargetRef, TargetRef][] = [];
  const state = new KernelState({
    engine,
    store,
    kv,
    config: () => CONFIG,
    seed: () => 100,
    runs: {
      run: (target) => {
        runs.push(target);
        return Promise.resolve({ id: 'r1', status: 'completed' } as ResultFile);
      },
      compare: (parent, target) => {
        compares.push([parent, target]);
        return Promise.resolve();
      },
    },
  });
  return { engine, store, kv, state, runs, compares };
}

/** Lets queued promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('KernelState', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a copy of a built-in with its like= header, parent and a free name', async () => {
    const store = new MapStore();
    await store.putKernel({ name: 'flash-f32-edit', source: 'x', updatedAt: '' });
    const { state } = setup({ store });
    await state.load();
    await state.editCopy('flash-f32');
    expect(state.name).toBe('flash-f32-edit-2');
    expect(state.source.split('\n')[0]).toBe('// @attnlab like=flash-f32');
    expect(state.source).toContain('fn main(');
    expect(state.parent).toBe('flash-f32');
    expect(store.map.get('flash-f32-edit-2')?.source).toBe(state.source);
    await settle();
    expect(state.compile.state).toBe('compiled');
  });

  it('compiles and saves only after a pause in typing; errors block check and run', async () => {
    const { state, store } = setup();
    await state.startBlank();
    await settle();
    expect(state.checkBlocked).toBeNull();
    const broken = state.source.replace('let s = params.seq_len;', 'let s = BROKEN');
    state.edit(broken);
    expect(state.checkBlocked).toBe('Compiling…');
    await vi.advanceTimersByTimeAsync(COMPILE_DELAY_MS - 50);
    expect(store.map.get('my-kernel')?.source).not.toBe(broken);
    await vi.advanceTimersByTimeAsync(60);
    await settle();
    expect(store.map.get('my-kernel')?.source).toBe(broken);
    expect(state.compile).toMatchObject({ state: 'errors' });
    expect(state.checkBlocked).toBe('The shader does not compile (1 error); fix it first.');
    expect(state.runBlocked).toBe('The shader does not compile (1 error); fix it first.');
  });

  it('refuses a run after a failed check and after an edit; runs after a passing check', async () => {
    const { state, engine, runs } = setup();
    await state.startBlank();
    await settle();
    const good = state.source;
    expect(state.runBlocked).toMatch(/^Check it first/);
    state.edit(`${good}\n// BAD`);
    await vi.advanceTimersByTimeAsync(COMPILE_DELAY_MS);
    await settle();
    await state.runCheck();
    expect(state.check).toMatchObject({ state: 'done', correctness: { passed: false } });
    expect(state.runBlocked).toMatch(/^The latest check failed/);
    await state.runKernel();
    expect(runs).toHaveLength(0);
    state.edit(good);
    await vi.advanceTimersByTimeAsync(COMPILE_DELAY_MS);
    await settle();
    expect(state.runBlocked).toBe(
      'The latest check failed and the source changed since; check again.',
    );
    await state.runCheck();
    expect(state.runBlocked).toBeNull();
    // Each check draws fresh inputs.
    expect(engine.checkSeeds).toEqual([101, 102]);
    await state.runKernel();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.userKernel).toMatchObject({ language: 'wgsl', source: good });
    expect(state.run).toMatchObject({ state: 'done' });
    state.edit(`${good} `);
    expect(state.runBlocked).toBe('Compiling…');
    await vi.advanceTimersByTimeAsync(COMPILE_DELAY_MS);
    await settle();
    expect(state.runBlocked).toBe('The source changed since the last passing check; check again.');
  });

  it('compares a copy with its parent built-in', async () => {
    const { state, compares } = setup();
    await state.editCopy('flash-f32');
    await settle();
    await state.runCheck();
    await state.compareWithParent();
    expect(compares).toHaveLength(1);
    expect(compares[0]?.[0]).toEqual({ origin: 'browser', backend: 'webgpu', kernel: 'flash-f32' });
    expect(compares[0]?.[1].userKernel).toMatchObject({ name: 'flash-f32-edit' });
  });

  it('restarts the engine after a lost device and keeps the text', async () => {
    const { state, engine } = setup();
    await state.startBlank();
    await settle();
    const text = state.source;
    engine.loseNextCheck = true;
    await state.runCheck();
    expect(engine.inits).toBe(1);
    expect(state.source).toBe(text);
    expect(state.notice?.text).toMatch(/GPU device was lost while checking this kernel/);
    expect(state.notice?.text).toMatch(/engine was restarted; your text is kept/);
    expect(state.runBlocked).toMatch(/^The latest check could not run/);
  });

  it('reopens the last open kernel after a reload', async () => {
    const store = new MapStore();
    const kv = kvStore();
    const first = setup({ store, kv });
    await first.state.startBlank();
    first.state.edit('// edited');
    await vi.advanceTimersByTimeAsync(COMPILE_DELAY_MS);
    expect(kv.getItem(OPEN_KERNEL_KEY)).toBe('my-kernel');
    const second = setup({ store, kv });
    await second.state.load();
    expect(second.state.name).toBe('my-kernel');
    expect(second.state.source).toBe('// edited');
  });

  it('opens a linked kernel: the same text reuses its name, another text gets a new one', async () => {
    const { state } = setup();
    await state.openLinked('shared', 'A');
    expect(state.name).toBe('shared');
    await state.openLinked('shared', 'A');
    expect(state.name).toBe('shared');
    expect(state.saved.map((k) => k.name)).toEqual(['shared']);
    await state.openLinked('shared', 'B');
    expect(state.name).toBe('shared-2');
    await state.openLinked('flash-f32', 'C');
    expect(state.name).toBe('flash-f32-2');
    expect(state.notice?.text).toBe('Opened kernel "flash-f32-2" from the link.');
  });

  it('renames and deletes, refusing bad and taken names', async () => {
    const { state, store, kv } = setup();
    await state.startBlank();
    await state.importFile({ name: 'other one.wgsl', text: 'fn x() {}' });
    expect(state.name).toBe('other-one');
    expect(await state.rename('bad name')).toMatch(/^Name: letters/);
    expect(await state.rename('my-kernel')).toBe(
      'Rename failed: a kernel named "my-kernel" is already saved',
    );
    expect(await state.rename('flash-f32')).toMatch(/is a built-in kernel's id/);
    expect(await state.rename('renamed')).toBeNull();
    expect([...store.map.keys()].sort()).toEqual(['my-kernel', 'renamed']);
    expect(kv.getItem(OPEN_KERNEL_KEY)).toBe('renamed');
    await state.remove('renamed');
    expect(state.name).toBeNull();
    expect(state.saved.map((k) => k.name)).toEqual(['my-kernel']);
    expect(state.runBlocked).toBe('Open or start a kernel first.');
  });
});
