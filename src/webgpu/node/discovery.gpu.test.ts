/**
 * Adapter discovery as a user meets it: a fresh Node process with no Vulkan variables finds an
 * adapter by itself (SwiftShader on machines without a GPU), and one pointed at a missing ICD
 * says what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD, hasGpuDeviceNode } from './gpu.ts';

const SCRIPT = `
import { findDawnAdapter } from './src/webgpu/node/gpu.ts';
try {
  const { adapter, via } = await findDawnAdapter();
  console.log(JSON.stringify({ via, vendor: adapter.info.vendor, icd: process.env.VK_ICD_FILENAMES ?? null }));
} catch (err) {
  console.log(JSON.stringify({ error: err.message, help: err.help }));
}
`;

/** Runs discovery in a fresh process whose only Vulkan variables are `vulkan`. */
function discover(vulkan: Record<string, string>): Record<string, string | null> {
  const env = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  delete env.VK_DRIVER_FILES;
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', SCRIPT],
    {
      cwd: new URL('../../../', import.meta.url),
      env: { ...env, ...vulkan },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Record<string, string | null>;
}

describe('Dawn adapter discovery', () => {
  it('finds an adapter with no Vulkan variables set (SwiftShader where there is no GPU)', () => {
    const found = discover({});
    expect(found.error).toBeUndefined();
    if (!hasGpuDeviceNode() && existsSync(SWIFTSHADER_ICD)) {
      expect(found).toEqual({ via: 'swiftshader', vendor: 'google', icd: SWIFTSHADER_ICD });
    } else {
      expect(found.via).toBe('system');
    }
  });

  it('says what to install when the chosen ICD gives no adapter', () => {
    const found = discover({ VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(found.error).toBe(
      'no WebGPU adapter through Dawn (tried VK_ICD_FILENAMES/VK_DRIVER_FILES = /nonexistent/icd.json)',
    );
    expect(found.help).toContain('apt-get install chromium libvulkan1');
  });
});
