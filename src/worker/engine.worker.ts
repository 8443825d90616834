/**
 * The engine's web worker: the WebGPU engine exposed through comlink (see api.ts). The lab
 * creates it with `createEngineClient()` from client.ts.
 */
import { expose } from 'comlink';
import { browserShaderSources } from '../../shaders/sources.browser.ts';
import pkg from '../../package.json';
import { createEngineApi } from './engine-api.ts';

expose(
  createEngineApi({
    gpu: () => (navigator as WorkerNavigator & { gpu?: GPU }).gpu,
    host: {
      backend: 'webgpu',
      runtime: navigator.userAgent,
      sources: browserShaderSources,
      tool: { name: 'attnlab', version: pkg.version },
    },
  }),
);
