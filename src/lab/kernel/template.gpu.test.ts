/**
 * The Kernel view's blank template is a working kernel: it compiles without messages and passes
 * the f64 check on odd shapes, causal and not, through the same worker API the lab uses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttentionConfig } from '../../model/index.ts';
import { loadNodeShaderSources } from '../../../shaders/sources.node.ts';
import { findDawnAdapter } from '../../webgpu/node/gpu.ts';
import type { WorkerApi } from '../../worker/api.ts';
import { createEngineApi } from '../../worker/engine-api.ts';
import { BLANK_TEMPLATE } from './template.ts';

let api: WorkerApi;

beforeAll(async () => {
  const [{ adapter }, sources] = await Promise.all([findDawnAdapter(), loadNodeShaderSources()]);
  const gpu = { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU;
  api = createEngineApi({
    gpu: () => gpu,
    host: { backend: 'webgpu', runtime: 'test', sources, tool: { name: 'attnlab', version: '0' } },
  });
}, 60_000);

const spec = { language: 'wgsl' as const, source: BLANK_TEMPLATE, name: 'my-kernel' };

describe('the blank kernel template', () => {
  it('compiles cleanly and passes the check on odd S, causal and not', async () => {
    const base: AttentionConfig = {
      batch: 2,
      heads: 2,
      seqLen: 37,
      headDim: 32,
      causal: false,
      dtype: 'f32',
    };
    expect((await api.compileUser(spec, base)).messages).toEqual([]);
    for (const causal of [false, true]) {
      const out = await api.checkUser(spec, { ...base, causal }, 7);
      expect(out.ok && out.correctness.passed).toBe(true);
    }
  }, 120_000);
});
