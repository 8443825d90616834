#!/usr/bin/env bash
# One-call GPU check of grouped-query attention and decode (issue 14), without Node (the GPU box
# has nvcc and python3 + torch):
#   1. builds the CUDA harness (every flash_*.cu, flash-decode included) for this GPU's arch;
#   2. self-tests: the CUDA harness's --selftest (square shapes, then S ∈ {1, 3, 77},
#      Skv ∈ {1, 300, 1000}, Hkv ∈ {1, 2, H}, causal and not, for every kernel that takes K/V
#      shapes; the others SKIP with the reason) and the SDPA harness's --selftest (the same
#      shapes through enable_gqa / causal_lower_right); plus the host emulation of flash-decode;
#   3. times flash-decode, flash (which picks flash-decode at S ≤ 8) and SDPA flash, cuDNN and
#      efficient at the issue's three decode shapes (B,H,Hkv,S,Skv,D) = (8,32,8,1,8192,128),
#      (1,32,8,1,8192,128), (1,28,4,1,32768,128), fp16, cold L2, 100 samples, in ROUNDS
#      alternating rounds (A B C … A B C …) so drift hits every kernel alike;
#   4. writes decode-summary.md: median, GB/s of minimal bytes, % of the copy ceiling, ratios to
#      SDPA cuDNN and flash from the same call (decode_summary.py).
# Usage (from the repository root):  OUT=/some/dir bash native-runner/scripts/gpu-decode-check.sh
# STEPS picks parts (default "build selftest time summary"); ROUNDS (default 2); COPY_GBPS the
# copy ceiling for the % column (default 3000, the H100 figure of issue 14).
set -u
cd "$(dirname "$0")/../.." || exit 1
OUT=${OUT:-$PWD/gpu-decode-out}
mkdir -p "$OUT/runs"
BUILD=${BUILD:-$PWD/native-runner/build/gpu-check}
HARNESS=$BUILD/attnlab-cuda
SDPA=native-runner/python/sdpa_harness.py
PY=${PYTHON:-python3}
STEPS=" ${STEPS:-build selftest time summary} "
ROUNDS=${ROUNDS:-2}
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/gpu-decode-check.log"; }
step() { [[ "$STEPS" == *" $1 "* ]]; }

log "== machine"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
nvcc --version >> "$OUT/gpu-decode-check.log" 2>&1
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())" >> "$OUT/gpu-decode-check.log" 2>&1
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
ARCH=${ARCH:-90}

if step build; then
  log "== build (sm_$ARCH)"
  if ! timeout 480 make -C native-runner/cuda -j"$(nproc)" ARCHS="$ARCH" OUT="$HARNESS" > "$OUT/build.log" 2>&1; then
    log "BUILD FAILED (see build.log)"; tail -30 "$OUT/build.log" | tee -a "$OUT/gpu-decode-check.log"
  fi
fi
"$HARNESS" --info > "$OUT/hello.json" 2>> "$OUT/gpu-decode-check.log"

if step selftest; then
  log "== selftest: CUDA kernels (square + GQA/decode shapes)"
  timeout 420 "$HARNESS" --selftest > "$OUT/selftest-cuda.txt" 2>&1
  log "$(tail -1 "$OUT/selftest-cuda.txt")"
  grep -E '^FAIL' "$OUT/selftest-cuda.txt" | tee -a "$OUT/gpu-decode-check.log"
  log "SKIP lines (kernels that refuse a K/V shape, with the reason): $(grep -c '^SKIP' "$OUT/selftest-cuda.txt")"

  log "== selftest: SDPA backends (square + GQA/decode shapes)"
  timeout 420 "$PY" "$SDPA" --selftest > "$OUT/selftest-sdpa.txt" 2> "$OUT/selftest-sdpa.stderr"
  log "$(tail -1 "$OUT/selftest-sdpa.txt")"
  grep -E '^FAIL' "$OUT/selftest-sdpa.txt" | tee -a "$OUT/gpu-decode-check.log"

  log "== host emulation of flash-decode (CPU)"
  timeout 300 make -C native-runner/cuda emulate-decode OUT="$HARNESS" > "$OUT/emulate-decode.txt" 2>&1
  log "$(grep -E 'EMULATION' "$OUT/emulate-decode.txt" | tail -1)"
fi

if step time; then
  log "== timing: decode shapes, fp16, cold L2, $ROUNDS round(s)"
  SHAPES=("8 32 8 1 8192 128" "1 32 8 1 8192 128" "1 28 4 1 32768 128")
  for round in $(seq 1 "$ROUNDS"); do
    for shape in "${SHAPES[@]}"; do
      read -r B H HKV S SKV D <<< "$shape"
      tag="B${B}_H${H}_Hkv${HKV}_S${S}_Skv${SKV}_D${D}"
      common=(--batch "$B" --heads "$H" --kv-heads "$HKV" --seq "$S" --kv-seq "$SKV" --dim "$D"
              --causal 0 --dtype f16 --seed 1 --iterations 100)
      for kernel in flash-decode flash; do
        timeout 180 "$HARNESS" --kernel "$kernel" "${common[@]}" \
          > "$OUT/runs/cuda-${kernel}_${tag}_r${round}.jsonl" 2>> "$OUT/runs/stderr.txt" < /dev/null
      done
      for k in cudnn flash efficient; do
        timeout 180 "$PY" "$SDPA" --kernel "$k" "${common[@]}" \
          > "$OUT/runs/sdpa-${k}_${tag}_r${round}.jsonl" 2>> "$OUT/runs/stderr.txt" < /dev/null
      done
      log "round $round: timed $tag"
    done
  done
fi

if step summary; then
  log "== summary"
  "$PY" native-runner/scripts/decode_summary.py "$OUT" --copy-gbps "${COPY_GBPS:-3000}" | tee "$OUT/decode-summary.md"
fi
log "done; files in $OUT"
