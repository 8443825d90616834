/**
 * The run form's state: fields as typed, validated as you type (src/model's schemas and
 * ranges), the selected targets, and the permalink they make.
 */
import type { AttentionConfig, Dtype, StopRule } from '../../model/index.ts';
import {
  checkConfig,
  checkSeed,
  checkStop,
  type ConfigFields,
  type StopFields,
} from '../lib/formcheck.ts';
import { encodePermalink, type PermalinkState } from '../lib/permalink.ts';

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
    causal: this.causal,
    dtype: this.dtype,
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

  /** The permalink query string for the given tab. */
  permalink(tab: string): string {
    return encodePermalink(tab, this.configFields, this.stopFields, this.targets);
  }

  /** Applies a decoded permalink (fields are validated as usual once set). */
  apply(link: PermalinkState): void {
    const c = link.config;
    if (c.batch !== undefined) this.batch = c.batch;
    if (c.heads !== undefined) this.heads = c.heads;
    if (c.seqLen !== undefined) this.seqLen = c.seqLen;
    if (c.headDim !== undefined) this.headDim = c.headDim;
    if (c.causal !== undefined) this.causal = c.causal;
    if (c.dtype !== undefined) this.dtype = c.dtype;
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

  /** Selects or deselects a target. */
  toggleTarget(key: string, on: boolean): void {
    this.targetsChosen = true;
    const has = this.targets.includes(key);
    if (on && !has) this.targets = [...this.targets, key];
    if (!on && has) this.targets = this.targets.filter((t) => t !== key);
  }
}
