#!/usr/bin/env bash
# The one command to run on the GPU host (python3 with torch, nvcc; no Node needed):
#
#   bash native-runner/cuda/bench/run.sh [bench_cuda.py options]     (npm run bench:cuda)
#
# Builds the kernel library (build.sh; or uses a prebuilt one given as LIB=path), records
# nvidia-smi, then runs bench_cuda.py: probe, correctness, interleaved timing of every kernel
# version and the SDPA backends, tables on stdout, result files in ${OUT:-bench-out}.
# Examples: run.sh --kernels flash-v2,flash-v4 --dtypes f16 --samples 50
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-bench-out}"
mkdir -p "$out"
nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || echo "note: nvidia-smi failed" >&2
if [[ -n "${LIB:-}" ]]; then
  lib="$LIB"
else
  lib="$(bash "$here/build.sh" | tail -1)"
fi
ptxas="$(dirname "$lib")/ptxas.txt"
[[ -f "$ptxas" ]] && cp "$ptxas" "$out/ptxas.txt"
PYTHONUNBUFFERED=1 exec python3 "$here/bench_cuda.py" --lib "$lib" --out "$out" "$@"
