/** Parsing the Sweep view's size list: `64,128,256` or a range `64..1024` (powers of two). */

/** Most sizes one sweep may have. */
export const MAX_SWEEP_SIZES = 16;

/** Sizes, or an error naming the field and what is allowed. */
export function parseSizes(
  text: string,
  min: number,
  max: number,
): { ok: true; sizes: number[] } | { ok: false; error: string } {
  const allowed = `a list like 64,128,256 or a range like 64..1024, each in ${min}..${max}, at most ${MAX_SWEEP_SIZES} sizes`;
  const t = text.trim();
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(t);
  let sizes: number[];
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (lo < 1 || hi < lo)
      return {
        ok: false,
        error: `Sizes: range must be LO..HI with 1 ≤ LO ≤ HI; expected ${allowed}`,
      };
    sizes = [];
    for (let s = lo; s <= hi && sizes.length <= MAX_SWEEP_SIZES; s *= 2) sizes.push(s);
  } else {
    sizes =
      t === '' ? [] : t.split(',').map((p) => (p.trim() === '' ? Number.NaN : Number(p.trim())));
  }
  if (sizes.length === 0) return { ok: false, error: `Sizes: missing; expected ${allowed}` };
  const bad = sizes.find((s) => !Number.isInteger(s) || s < min || s > max);
  if (bad !== undefined)
    return { ok: false, error: `Sizes: ${String(bad)} is not allowed; expected ${allowed}` };
  if (sizes.length > MAX_SWEEP_SIZES)
    return { ok: false, error: `Sizes: ${sizes.length} sizes; expected ${allowed}` };
  return { ok: true, sizes: [...new Set(sizes)].sort((a, b) => a - b) };
}
