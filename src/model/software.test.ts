/** Software adapters are recognised by the fallback flag or by name, and old files by name. */
import { describe, expect, it } from 'vitest';
import { isSoftwareEnv, isSoftwareIdentity } from './software.ts';

const swiftshader = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'swiftshader-device-subzero-',
  description: 'SwiftShader driver 5.0.0',
};
const h100 = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H100 80GB HBM3',
};

describe('software adapters', () => {
  it('recognises SwiftShader, llvmpipe, lavapipe and the fallback flag, not a real GPU', () => {
    expect(isSoftwareIdentity(swiftshader)).toBe(true);
    expect(isSoftwareIdentity({ ...h100, description: 'llvmpipe (LLVM 15.0.7, 256 bits)' })).toBe(
      true,
    );
    expect(isSoftwareIdentity({ ...h100, device: 'lavapipe' })).toBe(true);
    expect(isSoftwareIdentity({ ...h100, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareIdentity(h100)).toBe(false);
    expect(isSoftwareIdentity({ ...h100, isFallbackAdapter: false })).toBe(false);
  });

  it('reads the recorded flag first and falls back to the name for files before 1.1', () => {
    const adapter = { ...swiftshader, features: [], limits: {} };
    expect(isSoftwareEnv({ adapter })).toBe(true);
    expect(isSoftwareEnv({ adapter: { ...adapter, software: false } })).toBe(false);
    expect(isSoftwareEnv({ adapter: { ...h100, features: [], limits: {}, software: true } })).toBe(
      true,
    );
    expect(isSoftwareEnv({ gpu: { name: 'NVIDIA H100' } })).toBe(false);
    expect(isSoftwareEnv(null)).toBe(false);
  });
});
