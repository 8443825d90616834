"""attnlab/result@1 files for the CUDA benchmark (pure Python; no torch, no GPU).

One file per (kernel, problem): the shape of src/model/result.ts, filled from what
bench_cuda.py measured. `make_result` only assembles and sanity-checks; the schema itself is
enforced by the TypeScript reader (src/model/result.ts), which a vitest test runs on this
module's output (bench_result.test.ts).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from typing import Any

from bench_stats import attention_bytes, attention_flops, median_ci

SCHEMA = "attnlab/result@1"
# Relative L2 tolerance per dtype, as src/reference/check.ts's TOLERANCE.
TOLERANCE = {"f32": 1e-5, "f16": 5e-3, "bf16": 3e-2}
DTYPE_BYTES = {"f32": 4, "f16": 2, "bf16": 2}


def config_dict(b: int, h: int, s: int, d: int, causal: bool, dtype: str) -> dict[str, Any]:
    """An attention config as the result schema spells it (scale absent: 1/√D)."""
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype: must be one of f32, f16, bf16 (got {dtype!r})")
    for name, v, lo, hi in (("batch", b, 1, 4096), ("heads", h, 1, 1024),
                            ("seqLen", s, 1, 65536), ("headDim", d, 8, 256)):
        if not (isinstance(v, int) and lo <= v <= hi):
            raise ValueError(f"{name}: must be an integer in {lo}..{hi} (got {v!r})")
    if d % 8 != 0:
        raise ValueError(f"headDim: must be a multiple of 8 in 8..256 (got {d})")
    return {"batch": b, "heads": h, "seqLen": s, "headDim": d, "causal": bool(causal),
            "dtype": dtype}


def config_label(cfg: dict[str, Any]) -> str:
    """Short label, e.g. B32_H8_S512_D64_f16_causal (also the file-name suffix)."""
    c = "causal" if cfg["causal"] else "full"
    return (f"B{cfg['batch']}_H{cfg['heads']}_S{cfg['seqLen']}_D{cfg['headDim']}_"
            f"{cfg['dtype']}_{c}")


def result_filename(backend: str, kernel: str, cfg: dict[str, Any]) -> str:
    """`<backend>-<kernel>__<config label>.json`, restricted to safe characters."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", f"{backend}-{kernel}")
    return f"{safe}__{config_label(cfg)}.json"


def _finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def make_result(
    *,
    run_id: str,
    created_at: str,
    tool: dict[str, str],
    cfg: dict[str, Any],
    backend: str,
    kernel: str,
    kernel_params: dict[str, str | int | float | bool],
    env: dict[str, Any],
    samples_ms: list[float],
    throttled: list[bool] | None,
    warmup: int,
    notes: list[str],
    clocks: list[dict[str, Any]],
    memory: dict[str, Any],
    correctness: dict[str, Any] | None,
    status: str,
    error: dict[str, str] | None = None,
    confidence: float = 0.95,
    seed: int = 1,
) -> dict[str, Any]:
    """Assembles one result file. A kernel that failed its check is given with status
    'failed', no samples and no derived figures (it is never timed)."""
    if status not in ("completed", "failed", "cancelled"):
        raise ValueError(f"status: must be completed, failed or cancelled (got {status!r})")
    if status == "completed" and not samples_ms:
        raise ValueError("samples_ms: a completed run needs at least one sample")
    if any(not (math.isfinite(x) and x >= 0) for x in samples_ms):
        raise ValueError("samples_ms: every sample must be a finite number ≥ 0")
    if throttled is not None and len(throttled) != len(samples_ms):
        raise ValueError("throttled: needs one flag per sample")
    if status != "completed" and error is None:
        raise ValueError("error: a failed or cancelled run needs {code, message}")

    derived = None
    if samples_ms:
        ci = median_ci(samples_ms, confidence=confidence, seed=seed)
        b, h, s, d = cfg["batch"], cfg["heads"], cfg["seqLen"], cfg["headDim"]
        flops = attention_flops(b, h, s, d, cfg["causal"])
        nbytes = attention_bytes(b, h, s, d, DTYPE_BYTES[cfg["dtype"]])
        sec = ci.median * 1e-3
        derived = {
            "medianMs": ci.median,
            "ci": [ci.lo, ci.hi],
            "confidence": confidence,
            "tflops": flops / sec / 1e12 if sec > 0 else 0.0,
            "gbps": nbytes / sec / 1e9 if sec > 0 else 0.0,
        }
    if correctness is not None:
        correctness = dict(correctness)
        correctness["maxAbsErr"] = _finite_or_none(correctness.get("maxAbsErr"))
        correctness["relL2Err"] = _finite_or_none(correctness.get("relL2Err"))

    samples: dict[str, Any] = {"ms": [float(x) for x in samples_ms], "partial": False}
    if throttled is not None:
        samples["throttled"] = [bool(x) for x in throttled]
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "id": run_id,
        "createdAt": created_at,
        "tool": tool,
        "config": cfg,
        "target": {"backend": backend, "kernel": kernel, "kernelParams": kernel_params},
        "env": env,
        "timing": {
            "method": "cuda-event",
            "quantumMs": None,
            "dispatchesPerSample": 1,
            "warmup": warmup,
            "cache": "cold",
            "stopRule": {"kind": "count", "iterations": max(1, len(samples_ms))},
            "graph": False,
            "inputSets": 1,
            "notes": notes,
        },
        "samples": samples,
        "clocks": clocks,
        "memory": memory,
        "correctness": correctness,
        "derived": derived,
        "status": status,
    }
    if error is not None:
        result["error"] = error
    return result


def write_atomic(path: str, value: Any) -> None:
    """Writes JSON to a temp file in the same folder, then renames it over `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=1, allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
