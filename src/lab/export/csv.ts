/** CSV of raw samples: one row per sample, so any tool can re-judge a run. */
import type { ResultFile } from '../../model/index.ts';
import { resultTitle } from '../lib/format.ts';

/** `index,ms,throttled` rows of one run (ms at full precision). */
export function samplesCsv(result: ResultFile): string {
  const flags = result.samples.throttled;
  const rows = result.samples.ms.map((ms, i) => {
    const t = flags?.[i];
    return `${i},${ms},${t === undefined ? '' : t ? 1 : 0}`;
  });
  return `index,ms,throttled\n${rows.join('\n')}\n`;
}

/**
 * `role,id,index,ms,target` rows of both sides of a comparison; `target` is the result's title,
 * which names a software (CPU-emulated) WebGPU adapter as such.
 */
export function comparisonCsv(baseline: ResultFile, candidate: ResultFile): string {
  const side = (role: string, r: ResultFile): string[] => {
    const target = csvCell(resultTitle(r));
    return r.samples.ms.map((ms, i) => `${role},${csvCell(r.id)},${i},${ms},${target}`);
  };
  return `role,id,index,ms,target\n${[...side('baseline', baseline), ...side('candidate', candidate)].join('\n')}\n`;
}

/** Quotes a CSV cell when it needs it. */
export function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
