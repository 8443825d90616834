/**
 * What src/stats needs to know about a result beyond its samples: its problem config with the
 * defaults filled in (so Hkv absent and Hkv = H compare equal) and the timer quantum of one
 * sample (the timestamp step divided by the launches a sample spans).
 */
import { kvHeadsOf, kvSeqLenOf, resolvedScale, type ResultFile } from '../../model/index.ts';

/** The config as compare() should see it: every default explicit. */
export function problemConfig(r: ResultFile): Record<string, unknown> {
  return {
    ...r.config,
    kvHeads: kvHeadsOf(r.config),
    kvSeqLen: kvSeqLenOf(r.config),
    scale: resolvedScale(r.config),
  };
}

/** The timer quantum of one sample in ms, or undefined when unknown. */
export function sampleQuantumMs(r: ResultFile): number | undefined {
  const q = r.timing.quantumMs;
  return q !== null && q > 0 ? q / r.timing.dispatchesPerSample : undefined;
}
