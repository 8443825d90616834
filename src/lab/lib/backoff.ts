/** Reconnect back-off for runner connections: exponential, capped, with optional jitter. */

/** Back-off parameters. */
export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** Fraction of the delay drawn at random (0: deterministic). */
  jitter: number;
}

/** Defaults: 500 ms, doubling, at most 30 s, ±20% jitter. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, jitter: 0.2 };

/**
 * Delay before reconnect attempt `attempt` (1-based): base·2^(attempt−1), capped at max, then
 * spread by ±jitter/2 using `random()` so many tabs do not reconnect in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer ≥ 1, got ${attempt}`);
  }
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt - 1, 30));
  const spread = raw * options.jitter * (random() - 0.5);
  return Math.max(0, Math.round(raw + spread));
}
