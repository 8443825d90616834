"""Summarises gpu-check.sh's runs (one .jsonl of harness lines per run) as a markdown table:
median, TFLOP/s, speedup relative to SDPA flash and cuDNN timed in the same call, the check.
Usage: python3 gpu_summary.py OUT_DIR  (reads OUT_DIR/runs/<backend-kernel>_<shape>.jsonl)
"""

import glob
import json
import os
import sys


def read_run(path):
    ms, check, err, timing = [], None, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            t = o.get("type")
            if t == "samples":
                ms += o["ms"]
            elif t == "check":
                check = o["correctness"]
            elif t == "error":
                err = f"{o['code']}: {o['message']}"
            elif t == "done":
                timing = o["timing"]
    return ms, check, err, timing


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def main(out):
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "runs", "*.jsonl"))):
        kernel, tag = os.path.basename(path)[: -len(".jsonl")].split("_", 1)
        runs.setdefault(tag, {})[kernel] = read_run(path)
    print("| shape | kernel | median ms | TFLOP/s | speedup vs SDPA flash | vs SDPA cuDNN | check (rel L2) | launches/sample | error |")
    print("|---|---|---|---|---|---|---|---|---|")
    for tag, kernels in runs.items():
        p = {part[0]: part[1:] for part in tag.split("_")}
        b, h, s, d, causal = int(p["B"]), int(p["H"]), int(p["S"]), int(p["D"]), p["c"] == "1"
        flops = 4.0 * b * h * s * s * d * (0.5 if causal else 1.0)
        med = {k: median(r[0]) for k, r in kernels.items() if r[0]}
        shape = f"B={b} H={h} S={s} D={d}{' causal' if causal else ''}"
        for k, (ms, check, err, timing) in sorted(kernels.items()):
            if check is None:
                verdict = "—"
            elif check.get("relL2Err") is None:
                verdict = "FAIL (NaN)" if not check["passed"] else "ok"
            else:
                verdict = f"{'ok' if check['passed'] else 'FAIL'} ({check['relL2Err']:.1e})"
            if k not in med:
                print(f"| {shape} | {k} | — | — | — | — | {verdict} | | {err or 'no samples'} |")
                continue
            m = med[k]

            def speedup(ref):
                return f"{med[ref] / m:.2f}×" if ref in med else "—"

            launches = timing["dispatchesPerSample"] if timing else "?"
            print(f"| {shape} | {k} | {m:.4f} | {flops / (m * 1e-3) / 1e12:.1f} | {speedup('sdpa-flash')} "
                  f"| {speedup('sdpa-cudnn')} | {verdict} | {launches} | {err or ''} |")


if __name__ == "__main__":
    main(sys.argv[1])
