/**
 * Problem presets of the run form: the shapes people run in production (grouped-query decode
 * against a long KV cache, prefill, multi-query), one click away.
 */
import type { AttentionConfig } from '../../model/index.ts';
import type { ConfigFields } from './formcheck.ts';

/** A named problem shape. */
export interface ConfigPreset {
  /** Stable id (the select's value). */
  id: string;
  /** What the menu shows. */
  label: string;
  /** The problem. */
  config: AttentionConfig;
}

/** Llama 3 8B's attention: 32 query heads sharing 8 KV heads, head dim 128. */
const LLAMA3_8B = { heads: 32, kvHeads: 8, headDim: 128, dtype: 'f16', causal: true } as const;

/** The presets, in menu order. */
export const CONFIG_PRESETS: readonly ConfigPreset[] = [
  {
    id: 'llama3-8b-decode-8k',
    label: 'Llama-3-8B decode, 8k cache (B1 H32 Hkv8 S1 Skv8192 D128 f16)',
    config: { ...LLAMA3_8B, batch: 1, seqLen: 1, kvSeqLen: 8192 },
  },
  {
    id: 'llama3-8b-prefill-2k',
    label: 'Llama-3-8B prefill 2k (B1 H32 Hkv8 S2048 D128 f16 causal)',
    config: { ...LLAMA3_8B, batch: 1, seqLen: 2048 },
  },
  {
    id: 'mqa-decode-8k',
    label: 'MQA decode, 8k cache (B1 H32 Hkv1 S1 Skv8192 D128 f16)',
    config: { ...LLAMA3_8B, kvHeads: 1, batch: 1, seqLen: 1, kvSeqLen: 8192 },
  },
];

/** The form fields a preset fills (KV fields emptied when the preset leaves them at default). */
export function presetFields(preset: ConfigPreset): ConfigFields {
  const c = preset.config;
  return {
    batch: String(c.batch),
    heads: String(c.heads),
    seqLen: String(c.seqLen),
    headDim: String(c.headDim),
    kvHeads: c.kvHeads === undefined ? '' : String(c.kvHeads),
    kvSeqLen: c.kvSeqLen === undefined ? '' : String(c.kvSeqLen),
    causal: c.causal,
    dtype: c.dtype,
  };
}
