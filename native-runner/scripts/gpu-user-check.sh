#!/usr/bin/env bash
# One-call GPU check of user kernels (issue 13), without Node (the GPU box has nvcc and
# python3 + torch):
#   1. builds examples/user_attention.cu into its own CUDA harness for this GPU's arch, the way
#      `attnlab run --backend cuda --kernel-file` does (harness.cu + naive_f32.cu + user/adapter.cu
#      + the user's file), and self-checks it at a small odd shape;
#   2. times, in ROUNDS alternating rounds at (B,H,S,D) = (8,16,2048,128) f16 causal, cold L2:
#      SDPA flash (--kernel flash), the same SDPA as a user callable (examples/sdpa_callable.py,
#      --callable) and the user CUDA sample — the first two are the same kernel, so their medians
#      must agree within the noise;
#   3. prints each run's median (ms) from the harness lines in $OUT/runs/*.jsonl.
# Usage (from the repository root):  OUT=/some/dir bash native-runner/scripts/gpu-user-check.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
OUT=${OUT:-$PWD/gpu-user-out}
mkdir -p "$OUT/runs" "$OUT/build"
PY=${PYTHON:-python3}
ROUNDS=${ROUNDS:-3}
CUDA=native-runner/cuda
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .)
[ "$ARCH" = 90 ] && GEN="arch=compute_90a,code=sm_90a" || GEN="arch=compute_$ARCH,code=sm_$ARCH"
FLAGS="-O3 -std=c++17 -lineinfo -Xcompiler -fopenmp -gencode $GEN"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/gpu-user-check.log"; }

log "building the user harness for sm_$ARCH"
for u in harness naive_f32; do
  nvcc $FLAGS -c -o "$OUT/build/$u.o" "$CUDA/$u.cu" || exit 1
done
nvcc $FLAGS '-DATTNLAB_USER_ID="user_attention"' -c -o "$OUT/build/adapter.o" "$CUDA/user/adapter.cu" || exit 1
nvcc $FLAGS -I "$CUDA" -x cu -c -o "$OUT/build/user.o" examples/user_attention.cu || exit 1
nvcc $FLAGS -o "$OUT/build/attnlab-cuda-user" "$OUT/build"/{harness,naive_f32,adapter,user}.o -ldl || exit 1
USER_HARNESS=$OUT/build/attnlab-cuda-user

log "self-check: user_attention at B=1 H=4 Hkv=2 S=77 Skv=93 D=64 f16 causal"
"$USER_HARNESS" --kernel user_attention --batch 1 --heads 4 --kv-heads 2 --seq 77 --kv-seq 93 \
  --dim 64 --dtype f16 --causal 1 --iterations 5 | grep -E '"type":"(check|error)"' | tee -a "$OUT/gpu-user-check.log"

SHAPE=(--batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16 --causal 1 --iterations 100)
for r in $(seq 1 "$ROUNDS"); do
  log "round $r"
  "$PY" native-runner/python/sdpa_harness.py --kernel flash "${SHAPE[@]}" > "$OUT/runs/sdpa-flash-$r.jsonl"
  PYTHONPATH=examples "$PY" native-runner/python/sdpa_harness.py --kernel attn --callable sdpa_callable:attn \
    "${SHAPE[@]}" > "$OUT/runs/callable-$r.jsonl"
  "$USER_HARNESS" --kernel user_attention "${SHAPE[@]}" > "$OUT/runs/user-cuda-$r.jsonl"
done

"$PY" - "$OUT/runs" <<'PY' | tee "$OUT/summary.txt"
import glob, json, os, statistics, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.jsonl"))):
    ms, status = [], "no done line"
    for line in open(path):
        m = json.loads(line)
        if m.get("type") == "samples": ms += m["ms"]
        if m.get("type") == "check": status = "check " + ("passed" if m["correctness"]["passed"] else "FAILED")
        if m.get("type") == "error": status = f"error {m['code']}: {m['message']}"
    print(f"{os.path.basename(path):28s} n={len(ms):4d} median={statistics.median(ms) if ms else float('nan'):.4f} ms  {status}")
PY
