/** The environment difference lists what matters for compute first and folds the rest. */
import { describe, expect, it } from 'vitest';
import { diffEnv, envDiffText, splitEnvDiff } from './envdiff.ts';
import type { Env } from './result.ts';

function adapter(device: string, features: string[], limits: Record<string, number>): Env {
  return {
    adapter: {
      vendor: 'nvidia',
      architecture: 'hopper',
      device,
      description: `NVIDIA ${device}`,
      features,
      limits,
      runtime: 'Chrome 131',
    },
    host: { hostname: 'lab-a', node: '22.1.0' },
  };
}

describe('diffEnv', () => {
  const a = adapter('H100', ['shader-f16', 'timestamp-query'], {
    maxTextureDimension2D: 8192,
    maxTextureArrayLayers: 256,
    maxComputeWorkgroupStorageSize: 16384,
    maxBufferSize: 268435456,
  });
  const b: Env = {
    ...adapter('H200', ['subgroups', 'timestamp-query'], {
      maxTextureDimension2D: 16384,
      maxTextureArrayLayers: 2048,
      maxComputeWorkgroupStorageSize: 32768,
      maxBufferSize: 268435456,
    }),
    host: { hostname: 'lab-b', node: '24.0.0' },
    gpu: { name: 'H200', driver: '560.1' },
  };

  it('orders device, driver, features, compute limits, versions, then the rest', () => {
    const rows = diffEnv(a, b);
    expect(rows.map((r) => [r.group, r.path])).toEqual([
      ['device', 'adapter.description'],
      ['device', 'adapter.device'],
      ['device', 'gpu.name'],
      ['driver', 'gpu.driver'],
      ['features', 'adapter.features'],
      ['compute limits', 'adapter.limits.maxComputeWorkgroupStorageSize'],
      ['versions', 'host.node'],
      ['other', 'adapter.limits.maxTextureArrayLayers'],
      ['other', 'adapter.limits.maxTextureDimension2D'],
      ['other', 'host.hostname'],
    ]);
  });

  it('folds texture limits and host names, keeps compute fields', () => {
    const { important, folded } = splitEnvDiff(diffEnv(a, b));
    expect(important).toHaveLength(7);
    expect(folded.map((r) => r.path)).toEqual([
      'adapter.limits.maxTextureArrayLayers',
      'adapter.limits.maxTextureDimension2D',
      'host.hostname',
    ]);
  });

  it('says which features changed instead of printing both lists', () => {
    const features = diffEnv(a, b).find((r) => r.path === 'adapter.features');
    expect(features?.added).toEqual(['subgroups']);
    expect(features?.removed).toEqual(['shader-f16']);
    expect(features && envDiffText(features)).toEqual({ a: '− shader-f16', b: '+ subgroups' });
  });

  it('shows an absent side as a dash', () => {
    const gpu = diffEnv(a, b).find((r) => r.path === 'gpu.name');
    expect(gpu && envDiffText(gpu)).toEqual({ a: '—', b: 'H200' });
  });

  it('folds compute limits and versions that only one side has (browser against a host)', () => {
    const host: Env = { host: { node: '22.1.0', cpu: 'EPYC' }, gpu: { name: 'H100' } };
    const rows = diffEnv(a, host);
    const important = splitEnvDiff(rows).important.map((r) => r.path);
    expect(important).toEqual([
      'adapter.architecture',
      'adapter.description',
      'adapter.device',
      'adapter.vendor',
      'gpu.name',
      'adapter.runtime',
    ]);
    expect(rows.find((r) => r.path === 'adapter.limits.maxBufferSize')?.important).toBe(false);
  });

  it('finds nothing between equal environments', () => {
    expect(diffEnv(a, structuredClone(a))).toEqual([]);
  });
});

describe('diffEnv with empty strings', () => {
  it('reads an empty adapter description or device as absent, not as a difference', () => {
    const hidden: Env = {
      adapter: {
        vendor: 'nvidia',
        architecture: '',
        device: '',
        description: '',
        features: [],
        limits: {},
      },
    };
    const none: Env = {};
    const paths = diffEnv(hidden, none).map((r) => r.path);
    expect(paths).not.toContain('adapter.description');
    expect(paths).not.toContain('adapter.device');
    // A real value still differs from an absent one.
    expect(diffEnv(adapter('H100', [], {}), none).map((r) => r.path)).toContain('adapter.device');
  });
});
