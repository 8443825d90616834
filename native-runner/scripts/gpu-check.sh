#!/usr/bin/env bash
# One-call GPU check for the lead (the GPU box has nvcc and python3 + torch, but no Node):
#   1. builds the CUDA harness (every flash_*.cu kernel) for this GPU's arch with make;
#   2. self-tests: every CUDA kernel and every SDPA backend at small/odd shapes vs references;
#   3. times every CUDA kernel (as listed by the harness) and SDPA backend at (B,H,S,D) =
#      (32,8,512,64) and (8,16,2048,128), fp16 (naive-f32: f32), causal and not, 100 samples
#      each (naive: 20), cold L2;
#   4. writes summary.md: median, TFLOP/s, ratio to SDPA flash and cuDNN from the same call.
# Usage (from the repository root):  OUT=/some/dir bash native-runner/scripts/gpu-check.sh
# Everything lands in $OUT (default ./gpu-check-out): logs, one .jsonl of harness lines per run.
# STEPS picks parts (default "build selftest time summary"), e.g. STEPS="time summary" to time
# again with the harness already built, when one call must stay under a time limit.
set -u
cd "$(dirname "$0")/../.." || exit 1
OUT=${OUT:-$PWD/gpu-check-out}
mkdir -p "$OUT/runs"
BUILD=${BUILD:-$PWD/native-runner/build/gpu-check}
HARNESS=$BUILD/attnlab-cuda
SDPA=native-runner/python/sdpa_harness.py
PY=${PYTHON:-python3}
STEPS=" ${STEPS:-build selftest time summary} "
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/gpu-check.log"; }
step() { [[ "$STEPS" == *" $1 "* ]]; }

log "== machine"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
nvidia-smi --query-gpu=name,compute_cap,driver_version,clocks.max.sm,clocks.max.mem --format=csv >> "$OUT/gpu-check.log" 2>&1
nvcc --version >> "$OUT/gpu-check.log" 2>&1
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())" >> "$OUT/gpu-check.log" 2>&1
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
ARCH=${ARCH:-90}

if step build; then
log "== build (sm_$ARCH)"
if ! timeout 420 make -C native-runner/cuda -j"$(nproc)" ARCHS="$ARCH" OUT="$HARNESS" > "$OUT/build.log" 2>&1; then
  log "BUILD FAILED (see build.log)"; tail -30 "$OUT/build.log" | tee -a "$OUT/gpu-check.log"
fi
fi
"$HARNESS" --info > "$OUT/hello.json" 2>> "$OUT/gpu-check.log"

if step selftest; then
log "== selftest: CUDA kernels"
timeout 300 "$HARNESS" --selftest > "$OUT/selftest-cuda.txt" 2>&1
log "$(tail -1 "$OUT/selftest-cuda.txt")"
grep -E '^(FAIL|SKIP)' "$OUT/selftest-cuda.txt" | tee -a "$OUT/gpu-check.log"

log "== selftest: SDPA backends"
timeout 300 "$PY" "$SDPA" --selftest > "$OUT/selftest-sdpa.txt" 2> "$OUT/selftest-sdpa.stderr"
log "$(tail -1 "$OUT/selftest-sdpa.txt")"
grep -E '^(FAIL|SKIP)' "$OUT/selftest-sdpa.txt" | tee -a "$OUT/gpu-check.log"
fi

if step time; then
log "== timing"
# Every kernel the harness registered, at f16 when it has it (naive-f32: f32).
"$HARNESS" --list | "$PY" -c 'import json, sys
for o in map(json.loads, filter(str.strip, sys.stdin)):
    print(o["id"], "f16" if "f16" in o["dtypes"] else o["dtypes"][0])' > "$OUT/kernels.txt"
log "kernels: $(tr '\n' ' ' < "$OUT/kernels.txt")"
SHAPES=("32 8 512 64" "8 16 2048 128")
for shape in "${SHAPES[@]}"; do
  read -r B H S D <<< "$shape"
  for causal in 0 1; do
    tag="B${B}_H${H}_S${S}_D${D}_c${causal}"
    common=(--batch "$B" --heads "$H" --seq "$S" --dim "$D" --causal "$causal" --seed 1)
    while read -r kernel dtype; do
      iters=100; [[ "$kernel" == naive-* ]] && iters=20
      timeout 180 "$HARNESS" --kernel "$kernel" --dtype "$dtype" --iterations "$iters" "${common[@]}" \
        > "$OUT/runs/cuda-${kernel}_$tag.jsonl" 2>> "$OUT/runs/stderr.txt" < /dev/null
    done < "$OUT/kernels.txt"
    for k in flash cudnn efficient math; do
      timeout 120 "$PY" "$SDPA" --kernel "$k" --dtype f16 --iterations 100 "${common[@]}" \
        > "$OUT/runs/sdpa-${k}_$tag.jsonl" 2>> "$OUT/runs/stderr.txt" < /dev/null
    done
    log "timed $tag"
  done
done
fi

if step summary; then
log "== summary"
"$PY" native-runner/scripts/gpu_summary.py "$OUT" | tee "$OUT/summary.md"
fi
log "done; files in $OUT"
