/**
 * The worker API behind comlink, over a real MessageChannel (as between the lab and its worker),
 * with the engine on Dawn: init, streamed hooks, cancel by id, refusals as rejections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expose, proxy, releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import type { Correctness, RunProgress } from '../model/index.ts';
import { readResult } from '../model/index.ts';
import { KERNELS } from '../../shaders/index.ts';
import { loadNodeShaderSources } from '../../shaders/sources.node.ts';
import { findDawnAdapter } from '../webgpu/node/gpu.ts';
import type { WorkerApi, WorkerRunRequest } from './api.ts';
import { createEngineApi, NO_WEBGPU_HELP } from './engine-api.ts';

let remote: Remote<WorkerApi>;
let channel: MessageChannel;

beforeAll(async () => {
  const [{ adapter }, sources] = await Promise.all([findDawnAdapter(), loadNodeShaderSources()]);
  // A GPU whose requestAdapter hands out the Dawn adapter, like navigator.gpu in a worker.
  const gpu = { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU;
  const api = createEngineApi({
    gpu: () => gpu,
    host: {
      backend: 'webgpu',
      runtime: 'test-worker',
      sources,
      tool: { name: 'attnlab', version: '0.0.0-test' },
    },
  });
  channel = new MessageChannel();
  expose(api, channel.port1);
  remote = wrap<WorkerApi>(channel.port2);
}, 60_000);

afterAll(() => {
  remote[releaseProxy]();
  channel.port1.close();
  channel.port2.close();
});

const request = (over: Partial<WorkerRunRequest> = {}): WorkerRunRequest => ({
  id: 'run-1',
  config: { batch: 1, heads: 2, seqLen: 33, headDim: 32, causal: false, dtype: 'f32' },
  kernel: 'flash-f32',
  stop: { kind: 'count', iterations: 6 },
  cache: 'warm',
  seed: 3,
  warmup: 1,
  ...over,
});

describe('worker API over comlink', () => {
  it('says why when there is no WebGPU at all', async () => {
    const api = createEngineApi({
      gpu: () => undefined,
      host: {
        backend: 'webgpu',
        runtime: 'x',
        sources: {},
        tool: { name: 'attnlab', version: '0' },
      },
    });
    const status = await api.init();
    expect(status).toEqual({
      state: 'unavailable',
      reason: 'this browser has no WebGPU (navigator.gpu is missing)',
      help: NO_WEBGPU_HELP,
    });
  });

  it('initialises and lists the kernels with the environment', async () => {
    const status = await remote.init();
    expect(status.state).toBe('ready');
    if (status.state !== 'ready') return;
    expect(status.kernels.map((k) => k.id)).toEqual(KERNELS.map((k) => k.id));
    expect(status.kernels.find((k) => k.id === 'flash-f32')?.available).toBe(true);
    expect(status.env.adapter?.runtime).toBe('test-worker');
    expect(status.env.adapter?.features.length).toBeGreaterThan(0);
  }, 60_000);

  it('streams samples, progress and the check through proxied hooks', async () => {
    const samples: number[] = [];
    const phases = new Set<string>();
    const checks: Correctness[] = [];
    const result = await remote.run(
      request(),
      proxy({
        onSamples: (ms: number[]) => samples.push(...ms),
        onProgress: (p: RunProgress) => phases.add(p.phase),
        onCheck: (c: Correctness) => checks.push(c),
      }),
    );
    const file = readResult(result);
    expect(file.status).toBe('completed');
    expect(file.target.backend).toBe('webgpu');
    expect(file.id).toBe('run-1');
    expect(file.tool.version).toBe('0.0.0-test');
    await new Promise((resolve) => setTimeout(resolve, 20)); // hook messages are one-way
    expect(samples).toEqual(file.samples.ms);
    expect(checks).toHaveLength(1);
    expect(checks[0]?.passed).toBe(true);
    expect([...phases]).toEqual(expect.arrayContaining(['checking', 'timing', 'done']));
  }, 60_000);

  it('cancels a run by id and refuses a duplicate id while it runs', async () => {
    let cancelled = false;
    const pending = remote.run(
      request({ id: 'long', stop: { kind: 'count', iterations: 100_000 } }),
      proxy({
        onSamples: () => {
          if (!cancelled) void remote.cancel('long');
          cancelled = true;
        },
        onProgress: () => undefined,
        onCheck: () => undefined,
      }),
    );
    await expect(
      remote.run(
        request({ id: 'long' }),
        proxy({
          onSamples: () => undefined,
          onProgress: () => undefined,
          onCheck: () => undefined,
        }),
      ),
    ).rejects.toThrow('run id "long" is already queued or running');
    const result = await pending;
    expect(result.status).toBe('cancelled');
    expect(result.samples.partial).toBe(true);
    expect(result.samples.ms.length).toBeLessThan(100_000);
  }, 60_000);

  it('rejects a refused request with the engine message', async () => {
    const hooks = proxy({
      onSamples: () => undefined,
      onProgress: () => undefined,
      onCheck: () => undefined,
    });
    await expect(
      remote.run(request({ id: 'f16', config: { ...request().config, dtype: 'f16' } }), hooks),
    ).rejects.toThrow(
      /kernel: flash-f32 computes in f32 but the config's dtype is f16; kernels for f16: flash-f16\b/,
    );
  }, 60_000);
});
