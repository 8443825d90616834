/**
 * The standard normal distribution: CDF and quantile. The CDF follows the Cephes `ndtr`/`erfc`
 * rational approximations that scipy.special uses, so p-values agree with scipy's to ~1e-15.
 */

// Cephes ndtr.c coefficients (S. L. Moshier), erfc for 1 ≤ x < 8 ...
const ERFC_P = [
  2.461969814735305e-10, 0.5641895648310689, 7.463210564422699, 48.63719709856814,
  196.5208329560771, 526.4451949954773, 934.5285271719576, 1027.5518868951572, 557.5353353693994,
];
const ERFC_Q = [
  13.228195115474499, 86.70721408859897, 354.9377788878199, 975.7085017432055, 1823.9091668790973,
  2246.3376081871097, 1656.6630919416134, 557.5353408177277,
];
// ... erfc for x ≥ 8 ...
const ERFC_R = [
  0.5641895835477551, 1.275366707599781, 5.019050422511805, 6.160210979930536, 7.4097426995044895,
  2.9788666537210022,
];
const ERFC_S = [
  2.2605286322011726, 9.396035249380015, 12.048953980809666, 17.08144507475659, 9.608968090632859,
  3.369076451000815,
];
// ... and erf for |x| ≤ 1.
const ERF_T = [
  9.604973739870516, 90.02601972038427, 2232.005345946843, 7003.325141128051, 55592.30130103949,
];
const ERF_U = [
  33.56171416475031, 521.3579497801527, 4594.323829709801, 22629.000061389095, 49267.39426086359,
];
/** log(Number.MAX_VALUE): beyond it exp(−x²) underflows. */
const MAXLOG = 709.782712893384;

/** Horner evaluation of c[0]·x^N + … + c[N] (Cephes `polevl`). */
function polevl(x: number, c: readonly number[]): number {
  let acc = 0;
  for (const k of c) {
    acc = acc * x + k;
  }
  return acc;
}

/** Horner evaluation of x^N + c[0]·x^(N−1) + … (Cephes `p1evl`: implicit leading 1). */
function p1evl(x: number, c: readonly number[]): number {
  let acc = 1;
  for (const k of c) {
    acc = acc * x + k;
  }
  return acc;
}

/** The error function. */
export function erf(x: number): number {
  if (x < 0) {
    return -erf(-x);
  }
  if (x > 1) {
    return 1 - erfc(x);
  }
  const z = x * x;
  return (x * polevl(z, ERF_T)) / p1evl(z, ERF_U);
}

/** The complementary error function 1 − erf(x), accurate in the far tail. */
export function erfc(a: number): number {
  const x = Math.abs(a);
  if (x < 1) {
    return 1 - erf(a);
  }
  const z = -a * a;
  if (z < -MAXLOG) {
    return a < 0 ? 2 : 0;
  }
  const e = Math.exp(z);
  const y =
    x < 8 ? (e * polevl(x, ERFC_P)) / p1evl(x, ERFC_Q) : (e * polevl(x, ERFC_R)) / p1evl(x, ERFC_S);
  const r = a < 0 ? 2 - y : y;
  if (r === 0) {
    return a < 0 ? 2 : 0;
  }
  return r;
}

/** Standard normal CDF Φ(a) (Cephes/scipy `ndtr`). Φ(±∞) = 1 or 0; NaN throws. */
export function normalCdf(a: number): number {
  if (Number.isNaN(a)) {
    throw new RangeError('normalCdf: argument is NaN');
  }
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) {
    return 0.5 + 0.5 * erf(x);
  }
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9), refined
// below by one Halley step against `normalCdf`, which brings it to double precision.
const ICDF_A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const ICDF_B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  1,
];
const ICDF_C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const ICDF_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1];
const P_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p) for 0 ≤ p ≤ 1 (scipy `ndtri`); returns −∞ at 0 and +∞ at 1.
 * Callers that cannot use an infinity must check `Number.isFinite` themselves.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  }
  if (p === 0) {
    return -Infinity;
  }
  if (p === 1) {
    return Infinity;
  }
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = polevl(q, ICDF_C) / polevl(q, ICDF_D);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = (polevl(r, ICDF_A) * q) / polevl(r, ICDF_B);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -polevl(q, ICDF_C) / polevl(q, ICDF_D);
  }
  // Halley refinement. Work with the smaller tail so the residual keeps its relative precision.
  const e = x < 0 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
