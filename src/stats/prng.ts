/**
 * Seeded pseudo-random numbers that are identical on every platform: xoshiro128** (Blackman &
 * Vigna) on 32-bit integer arithmetic (`Math.imul`, shifts, `>>> 0`), seeded through splitmix32.
 * No floating-point step influences the integer stream, so the same seed gives the same numbers
 * in every engine, browser or Node.
 */

/** A seeded random-number generator; every method advances the same underlying stream. */
export interface Rng {
  /** The next raw 32-bit output, an integer in [0, 2^32). */
  nextUint32(): number;
  /** A float in [0, 1) with 32 bits of resolution (nextUint32() / 2^32). */
  next(): number;
  /** An unbiased integer in [0, n) for an integer 1 ≤ n ≤ 2^32 (Lemire's method, with rejection). */
  nextInt(n: number): number;
  /**
   * Fills `out` with unbiased integers in [0, n), fast. For n ≤ 2^16 each 32-bit output yields two
   * values (Lemire's method on the range n², split into two base-n digits; an odd tail discards
   * the last digit), so the sequence differs from repeated nextInt(n) calls; for larger n it is
   * exactly that sequence.
   */
  fillInts(out: Int32Array | Uint32Array, n: number): void;
  /**
   * Draws `draws` integers in [0, counts.length) — exactly the values fillInts would draw — and
   * adds one to `counts` at each: the multinomial counts of a bootstrap resample.
   */
  addCounts(counts: Int32Array, draws: number): void;
  /**
   * A standard normal variate (Box–Muller from two draws; nothing cached). It goes through
   * Math.log/Math.cos, which engines may round differently in the last bit, unlike the integers.
   */
  nextNormal(): number;
}

/** The seed used when a caller gives none, so results are reproducible by default. */
export const DEFAULT_SEED = 0x5eed;

const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;

/** One splitmix32 step: returns the new state and a well-mixed 32-bit output. */
function splitmix32(state: number): { state: number; out: number } {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return { state: s, out: z >>> 0 };
}

/** Checks that a seed is a safe integer and folds it to 32 bits (high and low words mixed). */
function foldSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }
  const lo = (seed % TWO_32) >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/**
 * Derives an independent-looking seed from `seed` and a stream number, so one user seed can feed
 * several generators (e.g. one per sample) without them sharing a stream.
 */
export function deriveSeed(seed: number, stream: number): number {
  const base = foldSeed(seed);
  const a = splitmix32((base ^ Math.imul(foldSeed(stream) + 1, 0x632be5ab)) | 0);
  return a.out;
}

/**
 * Creates a xoshiro128** generator. `seed` is any safe integer; the four state words come from
 * four splitmix32 steps, which can never all be zero.
 */
export function createRng(seed: number = DEFAULT_SEED): Rng {
  const a = splitmix32(foldSeed(seed) | 0);
  const b = splitmix32(a.state);
  const c = splitmix32(b.state);
  const d = splitmix32(c.state);
  // Four consecutive splitmix32 outputs are never all zero (it is a bijection of its counter).
  return fromState(a.out | 0, b.out | 0, c.out | 0, d.out | 0);
}

/**
 * Creates a xoshiro128** generator from its four raw 32-bit state words (not all zero). Exposed
 * for cross-checking against the reference implementation; prefer `createRng(seed)`.
 */
export function createRngFromState(s0: number, s1: number, s2: number, s3: number): Rng {
  if ((s0 | s1 | s2 | s3) === 0) {
    throw new RangeError('xoshiro128** state must not be all zero');
  }
  return fromState(s0 | 0, s1 | 0, s2 | 0, s3 | 0);
}

/** Checks n for nextInt/fillInts and returns the Lemire rejection threshold (2^32 − n) mod n. */
function intRange(n: number): number {
  if (!(Number.isInteger(n) && n >= 1 && n <= TWO_32)) {
    throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
  }
  return (TWO_32 - n) % n;
}

/** Largest n for which the product r·n (r < 2^32) is exact in a double, as Lemire's method needs. */
const LEMIRE_MAX = 2097152;

/** Largest n for which fillInts takes two values from each output (n² ≤ 2^32). */
const PAIR_MAX = 65536;

/**
 * xoshiro128** with its state in four int32 fields. The bulk methods (fillInts, addCounts) copy
 * the state into locals for their loops: the bootstrap draws tens of millions of indices.
 */
class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    const s2 = this.s2 ^ this.s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = this.s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  next(): number {
    return this.nextUint32() / TWO_32;
  }

  nextInt(n: number): number {
    const threshold = intRange(n);
    if (n <= LEMIRE_MAX) {
      // Lemire: the 64-bit product r·n is exact in a double; its high word is the answer, and a
      // low word below (2^32 − n) mod n is rejected, which removes the bias.
      let r = this.nextUint32();
      while (Math.imul(r, n) >>> 0 < threshold) {
        r = this.nextUint32();
      }
      return (r * n * INV_TWO_32) | 0;
    }
    // Large n: mask to the next power of two and reject values ≥ n (fewer than 2 tries expected).
    const mask = n > TWO_32 / 2 ? -1 : 2 ** Math.ceil(Math.log2(n)) - 1;
    for (;;) {
      const r = (this.nextUint32() & mask) >>> 0;
      if (r < n) {
        return r;
      }
    }
  }

  fillInts(out: Int32Array | Uint32Array, n: number): void {
    intRange(n);
    if (n > PAIR_MAX) {
      for (let i = 0; i < out.length; i++) {
        out[i] = this.nextInt(n);
      }
      return;
    }
    const count = out.length;
    const p = n * n;
    const threshold = TWO_32 % p;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < count; i += 2) {
      // Same steps as nextUint32, on locals (V8 cannot keep object fields in registers).
      let r: number;
      do {
        const x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
      } while (Math.imul(r, p) >>> 0 < threshold);
      // Two digits per output: Lemire on P = n² ≤ 2^32 gives an unbiased q = a·n + b in [0, n²),
      // with a = hi32(r·n) and b = hi32(lo32(r·n)·n) because r·n² = q·2^32 + lo32(r·n²). Both
      // products stay below 2^48, exact in doubles; Math.imul wraps P = 2^32 to 0, the right low
      // word. An odd count drops the last b.
      out[i] = (r * n * INV_TWO_32) | 0;
      if (i + 1 < count) {
        out[i + 1] = ((Math.imul(r, n) >>> 0) * n * INV_TWO_32) | 0;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  addCounts(counts: Int32Array, draws: number): void {
    const n = counts.length;
    intRange(n);
    if (!(Number.isSafeInteger(draws) && draws >= 0)) {
      throw new RangeError(`addCounts: draws must be an integer ≥ 0, got ${draws}`);
    }
    if (n > PAIR_MAX) {
      for (let i = 0; i < draws; i++) {
        const v = this.nextInt(n);
        counts[v] = (counts[v] ?? 0) + 1;
      }
      return;
    }
    // fillInts' loop, tallying instead of storing, so no index array is written and read back.
    const p = n * n;
    const threshold = TWO_32 % p;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < draws; i += 2) {
      let r: number;
      do {
        const x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
      } while (Math.imul(r, p) >>> 0 < threshold);
      const a = (r * n * INV_TWO_32) | 0;
      counts[a] = (counts[a] ?? 0) + 1;
      if (i + 1 < draws) {
        const b = ((Math.imul(r, n) >>> 0) * n * INV_TWO_32) | 0;
        counts[b] = (counts[b] ?? 0) + 1;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  nextNormal(): number {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - this.nextUint32() / TWO_32;
    const u2 = this.nextUint32() / TWO_32;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

function fromState(s0: number, s1: number, s2: number, s3: number): Rng {
  return new Xoshiro128(s0, s1, s2, s3);
}
