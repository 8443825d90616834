/**
 * The run form's state: fields as typed, validated as you type (src/model's schemas and
 * ranges), the selected targets, and the permalink they make.
 */
import { DTYPES } from '../../model/index.ts';
import type { AttentionConfig, Dtype, StopRule } from '../../model/index.ts';
import {
  checkConfig,
  checkSeed,
  checkStop,
  type ConfigFields,
  type StopFields,
} from '../lib/formcheck.ts';
import {
  encodePermalink,
  fieldsFromParams,
  type FieldValues,
  type PermalinkState,
} from '../lib/permalink.ts';
import { presetFields, type ConfigPreset } from '../lib/presets.ts';

/** Fields with fixed choices: a link's value is taken only when it is one of them. */
const FIELD_CHOICES: Readonly<Record<string, readonly string[]>> = {
  dtype: DTYPES,
  cache: ['cold', 'warm'],
};

/** The run form. */
export class RunForm {
  /** Batch B, as typed. */
  batch = $state('1');
  /** Heads H, as typed. */
  heads = $state('2');
  /** Sequence length S, as typed. */
  seqLen = $state('128');
  /** Head dim D, as typed. */
  headDim = $state('64');
  /** KV heads Hkv, as typed (empty: Hkv = H). */
  kvHeads = $state('');
  /** KV length Skv, as typed (empty: Skv = S). */
  kvSeqLen = $state('');
  /** Causal masking. */
  causal = $state(false);
  /** Element type. */
  dtype: Dtype = $state('f32');
  /** Stop rule kind. */
  stopKind: StopFields['kind'] = $state('count');
  /** Samples for the count rule. */
  iterations = $state('50');
  /** CI rule target, percent. */
  ciPercent = $state('2');
  /** CI rule sample cap. */
  ciMax = $state('2000');
  /** Time budget, s. */
  budgetS = $state('5');
  /** Cold (inputs rotated / L2 flushed) or warm cache. */
  cache: 'cold' | 'warm' = $state('cold');
  /** Seed of the random inputs, as typed. */
  seed = $state('1');
  /** Selected target keys, in selection order (the first is the baseline). */
  targets: string[] = $state([]);
  /** True once the person or a permalink chose targets: the first-run preselection then stops. */
  targetsChosen = $state(false);

  /** The config fields, for validation and permalinks. */
  readonly configFields: ConfigFields = $derived({
    batch: this.batch,
    heads: this.heads,
    seqLen: this.seqLen,
    headDim: this.headDim,
    kvHeads: this.kvHeads,
    kvSeqLen: this.kvSeqLen,
    causal: this.causal,
    dtype: this.dtype,
  });
  /**
   * Every field of the form by its property name (config, cache, seed): what a permalink
   * carries. A field added to `configFields` travels in links with no other change.
   */
  readonly fields: FieldValues = $derived({
    ...this.configFields,
    cache: this.cache,
    seed: this.seed,
  });
  /** The stop fields. */
  readonly stopFields: StopFields = $derived({
    kind: this.stopKind,
    iterations: this.iterations,
    ciPercent: this.ciPercent,
    ciMax: this.ciMax,
    budgetS: this.budgetS,
  });
  /** Config validation, live. */
  readonly configCheck = $derived(checkConfig(this.configFields));
  /** Stop rule validation, live. */
  readonly stopCheck = $derived(checkStop(this.stopFields));
  /** The validated config, or null while a field is invalid. */
  readonly config: AttentionConfig | null = $derived(this.configCheck.value);
  /** The validated stop rule, or null. */
  readonly stop: StopRule | null = $derived(this.stopCheck.value);
  /** Seed validation, live. */
  readonly seedCheck = $derived(checkSeed(this.seed));
  /** The validated seed, or null. */
  readonly seedValue: number | null = $derived(this.seedCheck.value);
  /** Messages by field name (config, stop rule and seed together). */
  readonly errors: Record<string, string> = $derived({
    ...this.configCheck.errors,
    ...this.stopCheck.errors,
    ...this.seedCheck.errors,
  });
  /** Everything valid: the config, the stop rule and the seed. */
  readonly valid = $derived(this.config !== null && this.stop !== null && this.seedValue !== null);

  /** The permalink query string for the given tab, with the open view's own state. */
  permalink(tab: string, view: Readonly<Record<string, string>> = {}): string {
    return encodePermalink(tab, this.fields, this.stopFields, this.targets, view);
  }

  /** Applies a decoded permalink (fields are validated as usual once set). */
  apply(link: PermalinkState): void {
    // `fields` names this object's own properties, so each value goes back where it came from.
    const self = this as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(
      fieldsFromParams(link.params, this.fields, FIELD_CHOICES),
    )) {
      self[name] = value;
    }
    const s = link.stop;
    if (s.kind !== undefined) this.stopKind = s.kind;
    if (s.iterations !== undefined) this.iterations = s.iterations;
    if (s.ciPercent !== undefined) this.ciPercent = s.ciPercent;
    if (s.ciMax !== undefined) this.ciMax = s.ciMax;
    if (s.budgetS !== undefined) this.budgetS = s.budgetS;
    if (link.targets.length > 0) {
      this.targets = [...link.targets];
      this.targetsChosen = true;
    }
  }

  /** Sets the preselected targets (first run), unless targets were chosen. */
  preselect(keys: readonly string[]): void {
    if (this.targetsChosen) return;
    if (keys.length === this.targets.length && keys.every((k, i) => this.targets[i] === k)) return;
    this.targets = [...keys];
  }

  /** Deselects every target. */
  clearTargets(): void {
    this.targets = [];
    this.targetsChosen = true;
  }

  /** Fills the problem fields from a preset (the stop rule and targets stay). */
  applyPreset(preset: ConfigPreset): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(presetFields(preset))) self[name] = value;
  }

  /** Selects or deselects a target. */
  toggleTarget(key: string, on: boolean): void {
    this.targetsChosen = true;
    const has = this.targets.includes(key);
    if (on && !has) this.targets = [...this.targets, key];
    if (!on && has) this.targets = this.targets.filter((t) => t !== key);
  }
}
