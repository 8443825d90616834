/**
 * Which fields of two problem configs differ. Generic over plain records so src/stats need not
 * know the attention config: callers pass configs with defaults already filled in (e.g. the
 * resolved scale), so an omitted default and its explicit value do not count as a difference.
 */

/** A problem description, e.g. an attention config { batch, heads, seqLen, headDim, … }. */
export type ProblemConfig = Readonly<Record<string, unknown>>;

/** One differing field: its key and both values as JSON text ('—' when absent). */
export interface ConfigDifference {
  /** Field name. */
  key: string;
  /** Baseline value as JSON, or '—' when absent. */
  baseline: string;
  /** Candidate value as JSON, or '—' when absent. */
  candidate: string;
}

function text(v: unknown): string {
  // JSON.stringify gives undefined for functions and symbols, which configs should not hold.
  if (v === undefined) {
    return '—';
  }
  // Functions and symbols (which configs should not hold) have no JSON form.
  return typeof v === 'function' || typeof v === 'symbol' ? typeof v : JSON.stringify(v);
}

/** Fields whose values differ (compared as JSON, so nested values compare by content), by key. */
export function configDifferences(
  baseline: ProblemConfig,
  candidate: ProblemConfig,
): ConfigDifference[] {
  const keys = [...new Set([...Object.keys(baseline), ...Object.keys(candidate)])].sort();
  const out: ConfigDifference[] = [];
  for (const key of keys) {
    const a = text(baseline[key]);
    const b = text(candidate[key]);
    if (a !== b) {
      out.push({ key, baseline: a, candidate: b });
    }
  }
  return out;
}

/** "seqLen 512 → 1024, causal false → true": the differences as one phrase. */
export function describeDifferences(diffs: readonly ConfigDifference[]): string {
  return diffs.map((d) => `${d.key} ${d.baseline} → ${d.candidate}`).join(', ');
}
