/**
 * Fresh seeded random inputs for kernels and their reference: never zeros, identical for a
 * given seed in every browser and in Node (the integer PRNG of src/stats).
 */
import { createRng, deriveSeed } from '../stats/index.ts';
import { kvTensorElements, tensorElements } from '../model/index.ts';
import type { AttentionConfig, InputTensors } from '../model/index.ts';

/** Distribution of generated elements. */
export type InputDistribution = 'uniform' | 'normal';

/** A tensor of `n` seeded values: uniform in [-1, 1) or standard normal. */
export function randomTensor(
  n: number,
  seed: number,
  stream: number,
  distribution: InputDistribution = 'uniform',
): Float32Array {
  const rng = createRng(deriveSeed(seed, stream));
  const out = new Float32Array(n);
  if (distribution === 'uniform') {
    for (let i = 0; i < n; i++) out[i] = rng.next() * 2 - 1;
  } else {
    for (let i = 0; i < n; i++) out[i] = rng.nextNormal();
  }
  return out;
}

/**
 * Q [B, H, S, D] and K, V [B, Hkv, Skv, D] for a config, from three independent streams of one
 * seed (so square configs get the same values as before K/V could differ in shape).
 */
export function randomInputs(
  config: AttentionConfig,
  seed: number,
  distribution: InputDistribution = 'uniform',
): InputTensors {
  const n = tensorElements(config);
  const nkv = kvTensorElements(config);
  return {
    q: randomTensor(n, seed, 1, distribution),
    k: randomTensor(nkv, seed, 2, distribution),
    v: randomTensor(nkv, seed, 3, distribution),
  };
}
