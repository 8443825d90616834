/**
 * Permalinks: the run form's every field, the stop rule, the selected targets and the open
 * view's own state (compared result ids, the Learn problem) in the URL's query string, e.g.
 * `?tab=run&B=1&H=2&S=128&D=64&dtype=f32&causal=0&cache=cold&seed=1&stop=count:50&t=browser|webgpu|flash-f32`.
 * Fields are encoded generically by name, so a field the form gains travels without changes
 * here. Decoding never throws: values are left to the form and views, which validate them.
 */
import type { StopFields } from './formcheck.ts';
import { parseTargetKey } from './targets.ts';

/** A form's fields by name: text as typed, or a checkbox. */
export type FieldValues = Readonly<Record<string, string | boolean>>;

/** Short URL keys of the first fields; links made before the others existed use them. */
const ALIASES: Readonly<Record<string, string>> = {
  batch: 'B',
  heads: 'H',
  seqLen: 'S',
  headDim: 'D',
  kvHeads: 'Hkv',
  kvSeqLen: 'Skv',
};
/** Fields whose empty value means "the default" (Hkv = H, Skv = S): left out of links. */
const OMIT_WHEN_EMPTY = new Set(['kvHeads', 'kvSeqLen']);
const UNALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ALIASES).map(([name, key]) => [key, name]),
);
/** Keys with a meaning of their own (not fields). */
const RESERVED = new Set(['tab', 'stop', 't']);
/** Longest value kept from a link (a hand-edited URL must not flood a field). */
const MAX_VALUE = 4096;

/** What a permalink carries. */
export interface PermalinkState {
  /** The tab to open. */
  tab: string | null;
  /** Every other key by field name (aliases resolved): form fields and view state alike. */
  params: Record<string, string>;
  /** Stop-rule fields present in the link. */
  stop: Partial<StopFields>;
  /** Target keys (invalid ones dropped). */
  targets: string[];
}

/** Encodes form state and the open view's state as a query string (with the leading `?`). */
export function encodePermalink(
  tab: string,
  fields: FieldValues,
  stop: StopFields,
  targets: readonly string[],
  view: Readonly<Record<string, string>> = {},
): string {
  const q = new URLSearchParams();
  q.set('tab', tab);
  for (const [name, value] of Object.entries(fields)) {
    if (value === '' && OMIT_WHEN_EMPTY.has(name)) continue;
    q.set(ALIASES[name] ?? name, typeof value === 'boolean' ? (value ? '1' : '0') : value.trim());
  }
  const rule =
    stop.kind === 'count'
      ? `count:${stop.iterations.trim()}`
      : stop.kind === 'ci'
        ? `ci:${stop.ciPercent.trim()}:${stop.ciMax.trim()}`
        : `time:${stop.budgetS.trim()}`;
  q.set('stop', rule);
  for (const t of targets) q.append('t', t);
  for (const [key, value] of Object.entries(view)) {
    if (!RESERVED.has(key)) q.set(key, value);
  }
  // Target keys contain `|` and `:`; keep them readable in the address bar.
  return `?${q.toString().replaceAll('%7C', '|').replaceAll('%3A', ':').replaceAll('%2F', '/')}`;
}

/** Decodes a query string (with or without `?`). */
export function decodePermalink(search: string): PermalinkState {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const params: Record<string, string> = {};
  for (const [key, value] of q) {
    if (RESERVED.has(key)) continue;
    params[UNALIASES[key] ?? key] = value.slice(0, MAX_VALUE);
  }
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
  return { tab: q.get('tab'), params, stop, targets };
}

/**
 * Reads the fields a form has from decoded params: a checkbox from `1`/`0`, text as given (at
 * most `maxLength`), a field with fixed choices only when the value is one of them.
 */
export function fieldsFromParams(
  params: Readonly<Record<string, string>>,
  current: FieldValues,
  choices: Readonly<Record<string, readonly string[]>> = {},
  maxLength = 24,
): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [name, now] of Object.entries(current)) {
    const raw = params[name];
    if (raw === undefined) continue;
    if (typeof now === 'boolean') {
      if (raw === '1' || raw === '0') out[name] = raw === '1';
      continue;
    }
    const allowed = choices[name];
    if (allowed && !allowed.includes(raw)) continue;
    out[name] = raw.slice(0, maxLength);
  }
  return out;
}
