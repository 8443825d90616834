/**
 * The worker API for the lab's kernel editor, over comlink with the engine on Dawn: compile with
 * messages at the user's line, check against f64 (a dropped running-max rescale is caught with
 * its first mismatch), a timed run whose result carries the source.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expose, proxy, releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import { readResult } from '../model/index.ts';
import type { AttentionConfig, UserKernelSpec } from '../model/index.ts';
import { copyHeader, sha256Hex } from '../../shaders/user.ts';
import { loadNodeShaderSources } from '../../shaders/sources.node.ts';
import { findDawnAdapter } from '../webgpu/node/gpu.ts';
import type { WorkerApi } from './api.ts';
import { createEngineApi } from './engine-api.ts';

let remote: Remote<WorkerApi>;
let channel: MessageChannel;

beforeAll(async () => {
  const [{ adapter }, sources] = await Promise.all([findDawnAdapter(), loadNodeShaderSources()]);
  const gpu = { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU;
  const api = createEngineApi({
    gpu: () => gpu,
    host: { backend: 'webgpu', runtime: 'test', sources, tool: { name: 'attnlab', version: '0' } },
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

const CONFIG: AttentionConfig = {
  batch: 1,
  heads: 2,
  seqLen: 37,
  headDim: 32,
  causal: false,
  dtype: 'f32',
};
const original = `${copyHeader('flash-f32')}\n${readFileSync(
  new URL('../../shaders/flash-f32/flash_f32.wgsl', import.meta.url),
  'utf8',
)}`;
const wgsl = (source: string): UserKernelSpec => ({ language: 'wgsl', source, name: 'edit' });
const lineOf = (source: string, text: string): number =>
  source.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('user kernels through the worker API', () => {
  it('compiles a copy cleanly and places a syntax error at its line', async () => {
    expect((await remote.compileUser(wgsl(original), CONFIG)).messages).toEqual([]);
    const broken = original.replace('l *= alpha;', 'l *= alpha');
    const out = await remote.compileUser(wgsl(broken), CONFIG);
    const errors = out.messages.filter((m) => m.type === 'error');
    expect(errors.length).toBeGreaterThan(0);
    // The compiler reports the missing ';' at the next token: the line after the edit.
    expect(errors[0]?.line).toBe(lineOf(broken, 'l *= alpha') + 1);
    expect(errors[0]?.file).toBe('user');
    const header = await remote.compileUser(wgsl(`\n// @attnlab tiles=2\n${original}`), CONFIG);
    expect(header.messages).toHaveLength(1);
    expect(header.messages[0]).toMatchObject({ type: 'error', line: 2 });
    expect(header.messages[0]?.message).toMatch(/unknown key "tiles"/);
  }, 120_000);

  it('check: a dropped running-max rescale fails with the first mismatch; the copy passes', async () => {
    const noRescale = original.replace('let alpha = exp2(m - m_new);', 'let alpha = 1.0;');
    expect(noRescale).not.toBe(original);
    const bad = await remote.checkUser(wgsl(noRescale), CONFIG, 4);
    expect(bad.ok).toBe(true);
    if (!bad.ok) return;
    expect(bad.correctness.passed).toBe(false);
    expect(bad.correctness.relL2Err).toBeGreaterThan(bad.correctness.tolerance);
    expect(bad.correctness.note).toMatch(/^first mismatch at \[b=0, h=\d, s=\d+, d=\d+\]/);
    const good = await remote.checkUser(wgsl(original), CONFIG, 4);
    expect(good.ok && good.correctness.passed).toBe(true);
    const broken = await remote.checkUser(
      wgsl(original.replace('l *= alpha;', 'l *= alpah;')),
      CONFIG,
      4,
    );
    expect(broken).toMatchObject({ ok: false, code: 'compile-error', deviceLost: false });
  }, 120_000);

  it('run: timed like a built-in, the result carries the source and its SHA-256', async () => {
    const result = readResult(
      await remote.run(
        {
          id: 'user-run',
          config: CONFIG,
          kernel: 'edit',
          userKernel: wgsl(original),
          stop: { kind: 'count', iterations: 4 },
          cache: 'warm',
          seed: 2,
        },
        proxy({
          onSamples: () => undefined,
          onProgress: () => undefined,
          onCheck: () => undefined,
        }),
      ),
    );
    expect(result.status).toBe('completed');
    expect(result.samples.ms).toHaveLength(4);
    expect(result.target.kernel).toBe('edit');
    expect(result.target.userKernel).toMatchObject({
      language: 'wgsl',
      like: 'flash-f32',
      sha256: await sha256Hex(original),
    });
  }, 120_000);
});
