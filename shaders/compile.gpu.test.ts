/**
 * Compile-checks every kernel variant on Dawn's null backend, which has shader-f16 and
 * subgroups: the native-f16 path and subgroup sizes of real GPUs (32, 64, 8–32) are validated
 * here even though SwiftShader cannot run them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDevice } from '../src/webgpu/device.ts';
import type { DeviceTraits, EngineDevice } from '../src/webgpu/device.ts';
import { findNullAdapter } from '../src/webgpu/node/gpu.ts';
import { compileKernel } from '../src/webgpu/pipeline.ts';
import { planKernel } from '../src/webgpu/tiles.ts';
import { KERNELS, headDimsOf } from './index.ts';
import { loadNodeShaderSources } from './sources.node.ts';
import type { ShaderSources } from './kernel.ts';

let dev: EngineDevice;
let sources: ShaderSources;

beforeAll(async () => {
  dev = await openDevice(await findNullAdapter());
  sources = await loadNodeShaderSources();
}, 60_000);

afterAll(() => {
  dev.device.destroy();
});

const PROFILES: Record<string, (t: DeviceTraits) => DeviceTraits> = {
  'nvidia (subgroup 32)': (t) => ({
    ...t,
    subgroupMinSize: 32,
    subgroupMaxSize: 32,
    software: false,
  }),
  'amd (subgroup 64)': (t) => ({ ...t, subgroupMinSize: 64, subgroupMaxSize: 64, software: false }),
  'intel (subgroup 8..32)': (t) => ({
    ...t,
    subgroupMinSize: 8,
    subgroupMaxSize: 32,
    software: false,
  }),
  'swiftshader (subgroup 4)': (t) => ({
    ...t,
    subgroupMinSize: 4,
    subgroupMaxSize: 4,
    software: true,
  }),
  'no shader-f16': (t) => ({
    ...t,
    features: new Set([...t.features].filter((f) => f !== 'shader-f16')),
    software: false,
  }),
  // The split-KV kernels' portable lane part (one lane per key) with native f16 math.
  'no subgroups': (t) => ({
    ...t,
    features: new Set([...t.features].filter((f) => f !== 'subgroups')),
    software: false,
  }),
};

describe.each(Object.keys(PROFILES))('%s', (profile) => {
  // Subgroup-matrix kernels (chromium-experimental-subgroup-matrix) are validated against the
  // device's real subgroup sizes and have their own plan tests (src/webgpu/sgmat-plan.test.ts).
  const kernels = KERNELS.filter(
    (k) =>
      k.scheme !== 'subgroup-matrix' &&
      !(profile === 'no subgroups' && k.requires.includes('subgroups')),
  );
  const cases = kernels.flatMap((kernel) =>
    [8, 32, 64, 96, 128]
      .filter((d) => headDimsOf(kernel).includes(d))
      .map((headDim) => ({ kernel, headDim })),
  );
  it.each(cases.map((c) => [c.kernel.id, c.headDim, c] as const))(
    '%s D=%d compiles',
    async (_id, _d, { kernel, headDim }) => {
      const traits = (PROFILES[profile] ?? ((t: DeviceTraits) => t))(dev.traits);
      const plan = planKernel(kernel, headDim, traits);
      if (kernel.halfParts) expect(plan.nativeF16).toBe(traits.features.has('shader-f16'));
      // Split-KV kernels: subgroup lanes per key wherever `subgroups` exists, one lane elsewhere.
      if (kernel.laneParts) expect(plan.consts.L === 1).toBe(profile === 'no subgroups');
      const compiled = await compileKernel(dev.device, sources, plan);
      expect(compiled.pipelines).toHaveLength(kernel.entries.length);
      expect(compiled.code).toContain(`const D: u32 = ${headDim}u;`);
    },
  );
});

describe('compile errors', () => {
  it('quote the line the compiler rejects', async () => {
    const kernel = KERNELS.find((k) => k.id === 'flash-f32');
    if (!kernel) throw new Error('flash-f32 missing');
    const broken = {
      ...sources,
      [kernel.file]: (sources[kernel.file] ?? '').replace(
        'let inv = select(0.0, 1.0 / l, l > 0.0);',
        'let inv = select(0.0, 1.0 / lsum, l > 0.0);',
      ),
    };
    await expect(
      compileKernel(dev.device, broken, planKernel(kernel, 64, dev.traits)),
    ).rejects.toThrow(/flash-f32 D=64.*unresolved value 'lsum'/s);
  });
});
