/**
 * The native harnesses' seeded inputs, in TypeScript: element i of tensor t (0: Q, 1: K, 2: V)
 * is splitmix64(splitmix64(seed·3 + t) ^ i) mapped to uniform [-√3, √3) — the same bits as
 * native-runner/cpu/reference.hpp and python/harness_common.py, so a native run's output can
 * be re-checked here. BigInt arithmetic: fine for test-sized tensors, slow for large ones.
 */
import { kvTensorElements, tensorElements } from '../../../src/model/index.ts';
import type { AttentionConfig, InputTensors } from '../../../src/model/index.ts';

const MASK = (1n << 64n) - 1n;

/** One splitmix64 step on a 64-bit value. */
export function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** Element `i` of tensor `tensor` (0: Q, 1: K, 2: V) for `seed`, as the harnesses draw it. */
export function nativeInputValue(seed: number, tensor: number, i: number): number {
  const key = splitmix64(BigInt(seed) * 3n + BigInt(tensor));
  const h = splitmix64(key ^ BigInt(i));
  const u = Number(h >> 40n) / 16777216;
  return Math.fround((2 * u - 1) * 1.7320508075688772);
}

/** Q [B, H, S, D] and K, V [B, Hkv, Skv, D] exactly as a native harness generates them. */
export function nativeInputs(config: AttentionConfig, seed: number): InputTensors {
  const make = (t: number, n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = nativeInputValue(seed, t, i);
    return out;
  };
  const nkv = kvTensorElements(config);
  return { q: make(0, tensorElements(config)), k: make(1, nkv), v: make(2, nkv) };
}
