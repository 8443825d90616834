/** Without WebGPU or without an adapter, the browser engine gives the browser's own steps. */
import { describe, expect, it } from 'vitest';
import { BROWSER_WEBGPU_HELP } from './api.ts';
import { createEngineApi } from './engine-api.ts';

const host = {
  backend: 'webgpu',
  runtime: 'test',
  sources: {},
  tool: { name: 'attnlab', version: '0' },
} as const;

describe('browser WebGPU help', () => {
  it('names the browsers, the Linux flag and Firefox/Safari, and no Node or apt advice', () => {
    expect(BROWSER_WEBGPU_HELP).toMatch(/Chrome and Edge 113/);
    expect(BROWSER_WEBGPU_HELP).toMatch(/--enable-unsafe-webgpu/);
    expect(BROWSER_WEBGPU_HELP).toMatch(/Safari 26/);
    expect(BROWSER_WEBGPU_HELP).toMatch(/Firefox has it from 141 on Windows/);
    expect(BROWSER_WEBGPU_HELP).not.toMatch(/apt-get|Node|Dawn|Vulkan driver/);
  });

  it('is what the engine says when WebGPU has no adapter', async () => {
    const gpu = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
    const status = await createEngineApi({ gpu: () => gpu, host }).init();
    expect(status).toEqual({
      state: 'unavailable',
      reason: 'WebGPU is present but found no adapter',
      help: BROWSER_WEBGPU_HELP,
    });
  });

  it('is what the engine says when requesting an adapter fails', async () => {
    const gpu = {
      requestAdapter: () => Promise.reject(new Error('GPU process crashed')),
    } as unknown as GPU;
    const status = await createEngineApi({ gpu: () => gpu, host }).init();
    expect(status.state).toBe('unavailable');
    expect(status.state === 'unavailable' ? status.help : '').toBe(BROWSER_WEBGPU_HELP);
  });
});
