"""Statistics for the CUDA benchmark's printed table (numpy only, no torch).

The result files keep every raw sample, so the lab re-judges them with src/stats; this module
only gives the run log its medians, bootstrap CIs and speedups. Percentile bootstrap of the
median with a seeded generator: the same samples always print the same interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class MedianCI:
    """Median of a sample set and a bootstrap confidence interval around it."""

    median: float
    lo: float
    hi: float
    n: int


def _check(samples: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name}: need a non-empty 1-D sample array (got shape {x.shape})")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: samples must be finite")
    return x


def _boot_medians(x: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, x.size, size=(resamples, x.size))
    return np.median(x[idx], axis=1)


def median_ci(
    samples,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 1,
) -> MedianCI:
    """Median and percentile-bootstrap CI of the median."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: must be in (0, 1) (got {confidence})")
    x = _check(samples, "samples")
    rng = np.random.default_rng(seed)
    meds = _boot_medians(x, resamples, rng)
    a = (1 - confidence) / 2
    lo, hi = np.quantile(meds, [a, 1 - a])
    return MedianCI(float(np.median(x)), float(lo), float(hi), int(x.size))


def speedup_ci(
    baseline,
    candidate,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 1,
) -> MedianCI:
    """Speedup median(baseline) / median(candidate) (> 1: candidate faster) and its bootstrap CI,
    resampling both sets independently."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: must be in (0, 1) (got {confidence})")
    b = _check(baseline, "baseline")
    c = _check(candidate, "candidate")
    if np.any(c <= 0):
        raise ValueError("candidate: samples must be > 0 to form a ratio")
    rng = np.random.default_rng(seed)
    ratios = _boot_medians(b, resamples, rng) / _boot_medians(c, resamples, rng)
    a = (1 - confidence) / 2
    lo, hi = np.quantile(ratios, [a, 1 - a])
    return MedianCI(float(np.median(b) / np.median(c)), float(lo), float(hi), int(c.size))


def attention_flops(b: int, h: int, s: int, d: int, causal: bool) -> float:
    """4·B·H·S²·D, halved when causal (the FlashAttention convention)."""
    f = 4.0 * b * h * s * s * d
    return f / 2 if causal else f


def attention_bytes(b: int, h: int, s: int, d: int, elem_bytes: int) -> float:
    """Minimal bytes: read Q, K, V and write O once."""
    return 4.0 * b * h * s * d * elem_bytes
