/**
 * Time and number formatting shared by the lab and the CLI, so a figure reads the same in both.
 */

/**
 * A time in ms with the unit (s / ms / µs / ns) that keeps 4 significant digits readable. The
 * thresholds sit where rounding to 4 digits would carry into the next unit: 999.96 ms prints as
 * `1.000 s`, not `1000 ms`. Not a number: `—`.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  const abs = Math.abs(ms);
  if (abs >= 999.95) return `${(ms / 1000).toPrecision(4)} s`;
  if (abs >= 0.99995) return `${ms.toPrecision(4)} ms`;
  // Below a microsecond (a 1 ns timestamp quantum): nanoseconds without trailing zeros.
  if (abs < 9.9995e-4) return `${Number((ms * 1e6).toPrecision(4))} ns`;
  return `${(ms * 1000).toPrecision(4)} µs`;
}

/**
 * A number with `digits` significant digits, without exponent noise for ordinary ranges. Not a
 * number: `—`.
 */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e6) return Number(x.toPrecision(digits)).toString();
  return x.toExponential(digits - 1);
}
