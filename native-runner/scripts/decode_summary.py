"""Summarises gpu-decode-check.sh's runs as a markdown table: per decode shape and kernel, the
median over every round's samples, GB/s of minimal bytes ((Q + O)·2 + (K + V)·B·Hkv·Skv·D·2 for
fp16), % of the copy ceiling, the ratio to SDPA cuDNN and SDPA flash from the same call, and the
check. Ratios are of medians; the CIs come from `attnlab compare` on the result files (this
script runs where Node is absent, so it reports no statistic beyond the median).
Usage: python3 decode_summary.py OUT_DIR [--copy-gbps 3000]
       (reads OUT_DIR/runs/<backend-kernel>_<shape>_r<round>.jsonl)
"""

import glob
import json
import os
import re
import sys

TAG = re.compile(r"^(?P<kernel>[a-z]+-[a-z0-9-]+)_(?P<shape>B\d+_H\d+_Hkv\d+_S\d+_Skv\d+_D\d+)_r\d+$")


def read_run(path):
    ms, check, err = [], None, None
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
    return ms, check, err


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def minimal_bytes(shape, elem=2):
    p = dict(re.findall(r"([A-Za-z]+)(\d+)", shape))
    b, h, hkv, s, skv, d = (int(p[k]) for k in ("B", "H", "Hkv", "S", "Skv", "D"))
    return (2 * b * h * s * d + 2 * b * hkv * skv * d) * elem


def main(argv):
    out = argv[0]
    copy = float(argv[argv.index("--copy-gbps") + 1]) if "--copy-gbps" in argv else 3000.0
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "runs", "*.jsonl"))):
        m = TAG.match(os.path.basename(path)[: -len(".jsonl")])
        if not m:
            continue
        ms, check, err = read_run(path)
        entry = runs.setdefault(m["shape"], {}).setdefault(m["kernel"], {"ms": [], "check": None, "err": None})
        entry["ms"] += ms
        entry["check"] = entry["check"] or check
        entry["err"] = entry["err"] or err
    print(f"| shape (B,H,Hkv,S,Skv,D) | kernel | median ms | GB/s | % of {copy:.0f} GB/s | vs SDPA cuDNN "
          "| vs SDPA flash | samples | check (rel L2) | error |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for shape, kernels in runs.items():
        nbytes = minimal_bytes(shape)
        med = {k: median(e["ms"]) for k, e in kernels.items() if e["ms"]}
        label = ",".join(re.findall(r"\d+", shape))
        for k, e in sorted(kernels.items()):
            c = e["check"]
            verdict = "—" if c is None else (
                ("ok" if c["passed"] else "FAIL") + (f" ({c['relL2Err']:.1e})" if c.get("relL2Err") is not None else ""))
            if k not in med:
                print(f"| {label} | {k} | — | — | — | — | — | 0 | {verdict} | {e['err'] or 'no samples'} |")
                continue
            t = med[k]
            gbps = nbytes / (t * 1e-3) / 1e9

            def ratio(ref):
                return f"{med[ref] / t:.2f}×" if ref in med else "—"

            print(f"| {label} | {k} | {t:.4f} | {gbps:.0f} | {100 * gbps / copy:.0f}% | {ratio('sdpa-cudnn')} "
                  f"| {ratio('sdpa-flash')} | {len(e['ms'])} | {verdict} | {e['err'] or ''} |")


if __name__ == "__main__":
    main(sys.argv[1:])
