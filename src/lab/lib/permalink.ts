/**
 * Permalinks: the run form's config, stop rule and selected targets in the URL's query string,
 * e.g. `?B=1&H=2&S=128&D=64&dtype=f32&causal=0&stop=count:50&t=browser|webgpu|flash-f32`, plus
 * `Hkv` and `Skv` when the KV heads or length are set.
 * Decoding never throws: unknown values are left to the form, which validates them as typed.
 */
import { DTYPES, type Dtype } from '../../model/index.ts';
import type { ConfigFields, StopFields } from './formcheck.ts';
import { parseTargetKey } from './targets.ts';

/** What a permalink carries. */
export interface PermalinkState {
  /** The tab to open. */
  tab: string | null;
  /** Config fields present in the link. */
  config: Partial<ConfigFields>;
  /** Stop-rule fields present in the link. */
  stop: Partial<StopFields>;
  /** Target keys (invalid ones dropped). */
  targets: string[];
}

/** Encodes form state as a query string (with the leading `?`). */
export function encodePermalink(
  tab: string,
  config: ConfigFields,
  stop: StopFields,
  targets: readonly string[],
): string {
  const q = new URLSearchParams();
  q.set('tab', tab);
  q.set('B', config.batch.trim());
  q.set('H', config.heads.trim());
  q.set('S', config.seqLen.trim());
  q.set('D', config.headDim.trim());
  // Only when set, so square-problem links stay as they were.
  const hkv = config.kvHeads?.trim() ?? '';
  const skv = config.kvSeqLen?.trim() ?? '';
  if (hkv !== '') q.set('Hkv', hkv);
  if (skv !== '') q.set('Skv', skv);
  q.set('dtype', config.dtype);
  q.set('causal', config.causal ? '1' : '0');
  const rule =
    stop.kind === 'count'
      ? `count:${stop.iterations.trim()}`
      : stop.kind === 'ci'
        ? `ci:${stop.ciPercent.trim()}:${stop.ciMax.trim()}`
        : `time:${stop.budgetS.trim()}`;
  q.set('stop', rule);
  for (const t of targets) q.append('t', t);
  // Target keys contain `|` and `:`; keep them readable in the address bar.
  return `?${q.toString().replaceAll('%7C', '|').replaceAll('%3A', ':').replaceAll('%2F', '/')}`;
}

/** Decodes a query string (with or without `?`). */
export function decodePermalink(search: string): PermalinkState {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const config: Partial<ConfigFields> = {};
  const map: [
    string,
    keyof Pick<ConfigFields, 'batch' | 'heads' | 'seqLen' | 'headDim' | 'kvHeads' | 'kvSeqLen'>,
  ][] = [
    ['B', 'batch'],
    ['H', 'heads'],
    ['S', 'seqLen'],
    ['D', 'headDim'],
    ['Hkv', 'kvHeads'],
    ['Skv', 'kvSeqLen'],
  ];
  for (const [key, field] of map) {
    const v = q.get(key);
    if (v !== null) config[field] = v.slice(0, 12);
  }
  const dtype = q.get('dtype');
  if (dtype !== null && (DTYPES as readonly string[]).includes(dtype))
    config.dtype = dtype as Dtype;
  const causal = q.get('causal');
  if (causal === '1' || causal === '0') config.causal = causal === '1';
  const stop: Partial<StopFields> = {};
  const rule = q.get('stop')?.split(':') ?? [];
  if (rule[0] === 'count' && rule[1] !== undefined) {
    stop.kind = 'count';
    stop.iterations = rule[1].slice(0, 12);
  } else if (rule[0] === 'ci' && rule[1] !== undefined) {
    stop.kind = 'ci';
    stop.ciPercent = rule[1].slice(0, 12);
    if (rule[2] !== undefined) stop.ciMax = rule[2].slice(0, 12);
  } else if (rule[0] === 'time' && rule[1] !== undefined) {
    stop.kind = 'time';
    stop.budgetS = rule[1].slice(0, 12);
  }
  const targets = q.getAll('t').filter((t) => parseTargetKey(t) !== null);
  return { tab: q.get('tab'), config, stop, targets };
}
