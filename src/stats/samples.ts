/**
 * Validated sample containers: the one place where raw input becomes data the rest of the module
 * trusts (non-empty, every value finite), plus the `SortedSamples` brand for functions that need
 * ascending order.
 */

/** Raw measurements as callers hold them: a plain array or a typed array of numbers. */
export type SampleInput = ArrayLike<number>;

declare const sortedBrand: unique symbol;

/**
 * A non-empty, ascending, finite copy of some samples, made only by `sortSamples()`. Functions
 * that need sorted input take this type, so unsorted data cannot reach them by accident. Treat it
 * as read-only: writing into it breaks the promise the brand makes.
 */
export type SortedSamples = Float64Array & { readonly [sortedBrand]: true };

/**
 * Reads `arr[i]`, throwing when `i` is out of range; used where the index is known to be valid so
 * that `noUncheckedIndexedAccess` does not force silent fallbacks.
 */
export function at(arr: ArrayLike<number>, i: number): number {
  const v = arr[i];
  if (v === undefined) {
    throw new RangeError(`index ${i} is out of range for length ${arr.length}`);
  }
  return v;
}

/**
 * Checks that `samples` holds at least one value and that every value is finite, and returns a
 * fresh Float64Array copy. `name` is the argument name used in error messages.
 */
export function requireSamples(samples: SampleInput, name: string): Float64Array {
  const n = samples.length;
  if (n < 1) {
    throw new RangeError(`${name}: needs at least 1 sample, got 0`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = samples[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(
        `${name}: sample at index ${i} is ${String(v)}; every sample must be a finite number`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Validates `samples` (see `requireSamples`) and returns an ascending copy branded as sorted. */
export function sortSamples(samples: SampleInput, name = 'samples'): SortedSamples {
  const copy = requireSamples(samples, name);
  // Float64Array#sort compares numerically (unlike Array#sort), and all values are finite.
  copy.sort();
  return copy as SortedSamples;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of sorted samples with numpy's default 'linear' method: virtual
 * index h = (n − 1)·q, interpolated between its neighbours exactly as numpy's `_lerp` does (from
 * the upper neighbour when the fraction is ≥ 0.5), so results agree with `np.percentile` to the
 * last bit.
 */
export function quantile(sorted: SortedSamples, q: number): number {
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  }
  return quantileUnchecked(sorted, q);
}

/** `quantile` without the brand, for internal ascending arrays (e.g. bootstrap distributions). */
export function quantileUnchecked(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  if (h >= n - 1) {
    return at(sorted, n - 1);
  }
  if (h <= 0) {
    return at(sorted, 0);
  }
  const lo = Math.floor(h);
  const t = h - lo;
  const a = at(sorted, lo);
  const b = at(sorted, lo + 1);
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Median of ascending values, computed as numpy does (mean of the two middle values for even n,
 * i.e. (a + b) / 2, which can differ in the last bit from the 0.5-quantile).
 */
export function medianOfSorted(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  if (n % 2 === 1) {
    return at(sorted, mid);
  }
  return midpoint(at(sorted, mid - 1), at(sorted, mid));
}

/**
 * (a + b) / 2 as numpy computes it, except where the sum overflows (both values near the float
 * limit): then a / 2 + b / 2, so a median of finite values is never ±Infinity (and no NaN follows).
 */
export function midpoint(a: number, b: number): number {
  const m = (a + b) / 2;
  return Number.isFinite(m) ? m : a / 2 + b / 2;
}
