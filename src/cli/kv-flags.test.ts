import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../reference/npy.ts';
import { randomTensor } from '../reference/inputs.ts';
import { configFromFlags, type ConfigFlags } from './options.ts';
import { loadInputs } from './run.ts';

const flags = (over: Partial<ConfigFlags> = {}): ConfigFlags => ({
  batch: '1',
  heads: '8',
  seq: '1',
  dim: '64',
  dtype: 'f16',
  causal: true,
  ...over,
});

describe('--kv-heads and --kv-seq', () => {
  it('carry Hkv and Skv into the config, and leave them absent when not given', () => {
    const c = configFromFlags(flags({ kvHeads: '2', kvSeq: '4096' }));
    expect(c.kvHeads).toBe(2);
    expect(c.kvSeqLen).toBe(4096);
    expect('kvHeads' in configFromFlags(flags())).toBe(false);
  });

  it('reject non-integers and values outside the range, naming the flag', () => {
    expect(() => configFromFlags(flags({ kvSeq: '12x' }))).toThrow(
      '--kv-seq: expected an integer, got "12x"',
    );
    expect(() => configFromFlags(flags({ kvSeq: '0' }))).toThrow(
      '--kv-seq: must be an integer in 1..1048576',
    );
    expect(() => configFromFlags(flags({ kvHeads: '3' }))).toThrow(
      '--kv-heads: must divide heads (8): one of 1, 2, 4, 8',
    );
  });
});

describe('--inputs with K and V of the KV shape', () => {
  let dir = '';
  const put = async (name: string, shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const npy = writeNpy(randomTensor(n, 1, name.length), shape);
    await writeFile(join(dir, `${name}.npy`), npy);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attnlab-kv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads Hkv and Skv from k.npy', async () => {
    await put('q', [2, 4, 3, 8]);
    await put('k', [2, 2, 300, 8]);
    await put('v', [2, 2, 300, 8]);
    const { config, inputs } = await loadInputs(dir, configFromFlags(flags()));
    expect(config).toMatchObject({ batch: 2, heads: 4, kvHeads: 2, seqLen: 3, kvSeqLen: 300 });
    expect(inputs.k.length).toBe(2 * 2 * 300 * 8);
  });

  it('names the expected shape when k.npy disagrees with q.npy or the flags', async () => {
    await put('q', [2, 4, 3, 8]);
    await put('k', [1, 2, 300, 8]);
    await put('v', [2, 2, 300, 8]);
    await expect(loadInputs(dir, configFromFlags(flags()))).rejects.toThrow(
      '--inputs: k.npy must have shape [B=2, Hkv, Skv, D=8] (Hkv dividing H=4), got (1, 2, 300, 8)',
    );
    await put('k', [2, 2, 300, 8]);
    await expect(loadInputs(dir, configFromFlags(flags({ kvSeq: '200' })))).rejects.toThrow(
      'k.npy must have shape [B=2, Hkv, Skv=200, D=8]',
    );
    await put('k', [2, 3, 300, 8]);
    await put('v', [2, 3, 300, 8]);
    await expect(loadInputs(dir, configFromFlags(flags()))).rejects.toThrow(
      'kvHeads: must divide heads (4)',
    );
  });
});
