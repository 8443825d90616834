/**
 * IEEE binary16 conversions: what an f16 kernel stores, so that the f64 reference can use the
 * very values the kernel saw (rounded to nearest, ties to even, like the GPU's f32→f16 cast).
 */
import { halfToFloat } from './npy.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds one number to the nearest f16 and returns its 16 bits (round to nearest even). */
export function floatToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // inf or NaN (quiet)
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit-1 mantissa right and round to nearest even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h += 1;
    return sign | h;
  }
  const rest = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1; // may carry into exponent: fine
  return sign | h;
}

/** Converts f32 values to f16 bits (for upload to an f16 kernel). */
export function toHalfArray(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalfBits(values[i] ?? 0);
  return out;
}

let decodeTable: Float32Array | undefined;

/** Widens f16 bits to f32 (exact: every f16 is an f32). */
export function fromHalfArray(bits: Uint16Array): Float32Array {
  if (!decodeTable) {
    decodeTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) decodeTable[h] = halfToFloat(h);
  }
  const table = decodeTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i] ?? 0] ?? 0;
  return out;
}

/** The f32 values an f16 kernel actually sees: each element rounded to the nearest f16. */
export function roundToHalf(values: Float32Array): Float32Array {
  return fromHalfArray(toHalfArray(values));
}
