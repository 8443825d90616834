/** Geometric means, the right average for ratios such as speedups across a sweep. */

/** Geometric mean of positive finite values, via the mean of logarithms (no overflow). */
export function geomean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 1) {
    throw new RangeError('geomean: needs at least 1 value, got 0');
  }
  let sumLog = 0;
  let allEqual = true;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(
        `geomean: value at index ${i} is ${String(v)}; every value must be finite and > 0`,
      );
    }
    sumLog += Math.log(v);
    allEqual &&= v === values[0];
  }
  // exp(log(v)) can miss v in the last bit; equal values have that value as their exact mean.
  return allEqual ? (values[0] ?? 0) : Math.exp(sumLog / n);
}

/** Geometric mean of the speedup estimates of several comparisons (e.g. one per sweep point). */
export function geomeanSpeedup(
  comparisons: readonly { readonly speedup: { readonly estimate: number } }[],
): number {
  return geomean(comparisons.map((c) => c.speedup.estimate));
}
