/**
 * The Learn view's problem as edited (the draft), its defaults, and its permalink: the draft and
 * step as URL params and back, and issues that name the form's fields.
 */

/** Where the problem's values come from. */
export type ValueSource = 'random' | 'typed';

/** The editable form of the problem; numbers may be null while a field is empty. */
export interface LearnDraft {
  /** Sequence length S (random values only; typed values take S from Q). */
  seqLen: number | null;
  /** Head dimension D (random values only). */
  headDim: number | null;
  /** Seed of the random values. */
  seed: number | null;
  /** Causal masking. */
  causal: boolean;
  /** Br: query rows per tile. */
  queryTile: number | null;
  /** Bc: key/value rows per tile. */
  keyTile: number | null;
  /** Softmax scale as typed; empty means 1/√D. */
  scale: string;
  /** Random or typed-in values. */
  source: ValueSource;
  /** Typed-in Q, one row per line. */
  qText: string;
  /** Typed-in K, one row per line. */
  kText: string;
  /** Typed-in V, one row per line. */
  vText: string;
}

/** The problem the view opens with. */
export const DEFAULT_DRAFT: LearnDraft = {
  seqLen: 12,
  headDim: 4,
  seed: 7,
  causal: false,
  queryTile: 4,
  keyTile: 4,
  scale: '',
  source: 'random',
  qText: '',
  kText: '',
  vText: '',
};

/** The form's labels, so an issue names the field a person sees (not `seqLen`). */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  seqLen: 'Sequence length S',
  headDim: 'Head dimension D',
  seed: 'Seed',
  queryTile: 'Query tile size Br',
  keyTile: 'Key tile size Bc',
  scale: 'Softmax scale',
};

/** An issue with its field's label in place of the internal name. */
export function humanIssue(issue: string): string {
  const colon = issue.indexOf(':');
  const label = colon > 0 ? FIELD_LABELS[issue.slice(0, colon)] : undefined;
  return label === undefined ? issue : `${label}${issue.slice(colon)}`;
}

/** URL keys of the Learn state, prefixed so they never collide with the run form's. */
const URL_KEYS: Readonly<Record<keyof LearnDraft, string>> = {
  seqLen: 'learn.S',
  headDim: 'learn.D',
  seed: 'learn.seed',
  causal: 'learn.causal',
  queryTile: 'learn.Br',
  keyTile: 'learn.Bc',
  scale: 'learn.scale',
  source: 'learn.values',
  qText: 'learn.Q',
  kText: 'learn.K',
  vText: 'learn.V',
};
/** URL key of the step shown (1-based, as the transport counts). */
export const STEP_KEY = 'learn.step';

/** A problem and step as URL params (typed values only when they are the source). */
export function learnParams(draft: LearnDraft, index: number): Record<string, string> {
  const out: Record<string, string> = {};
  const num = (v: number | null): string => (v === null ? '' : String(v));
  out[URL_KEYS.source] = draft.source;
  if (draft.source === 'random') {
    out[URL_KEYS.seqLen] = num(draft.seqLen);
    out[URL_KEYS.headDim] = num(draft.headDim);
    out[URL_KEYS.seed] = num(draft.seed);
  } else {
    out[URL_KEYS.qText] = draft.qText;
    out[URL_KEYS.kText] = draft.kText;
    out[URL_KEYS.vText] = draft.vText;
  }
  out[URL_KEYS.causal] = draft.causal ? '1' : '0';
  out[URL_KEYS.queryTile] = num(draft.queryTile);
  out[URL_KEYS.keyTile] = num(draft.keyTile);
  if (draft.scale.trim() !== '') out[URL_KEYS.scale] = draft.scale.trim();
  out[STEP_KEY] = String(index + 1);
  return out;
}

/** The draft a link describes (null when it names no Learn state); the rest stays default. */
export function draftFromParams(params: Readonly<Record<string, string>>): LearnDraft | null {
  if (!Object.values(URL_KEYS).some((key) => params[key] !== undefined)) return null;
  const draft: LearnDraft = { ...DEFAULT_DRAFT };
  const num = (key: string, fallback: number | null): number | null => {
    const raw = params[key];
    if (raw === undefined) return fallback;
    const v = Number(raw.trim());
    return raw.trim() === '' || !Number.isFinite(v) ? null : v;
  };
  draft.seqLen = num(URL_KEYS.seqLen, draft.seqLen);
  draft.headDim = num(URL_KEYS.headDim, draft.headDim);
  draft.seed = num(URL_KEYS.seed, draft.seed);
  draft.queryTile = num(URL_KEYS.queryTile, draft.queryTile);
  draft.keyTile = num(URL_KEYS.keyTile, draft.keyTile);
  draft.causal = params[URL_KEYS.causal] === '1';
  draft.scale = (params[URL_KEYS.scale] ?? '').slice(0, 40);
  draft.source = params[URL_KEYS.source] === 'typed' ? 'typed' : 'random';
  draft.qText = params[URL_KEYS.qText] ?? '';
  draft.kText = params[URL_KEYS.kText] ?? '';
  draft.vText = params[URL_KEYS.vText] ?? '';
  return draft;
}
