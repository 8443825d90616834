#!/usr/bin/env bash
# Builds the benchmark's shared library: every kernel version (native-runner/cuda/flash_*.cu),
# the geometry variants (bench/explore.cu) and the C API (bench/bench_api.cu).
#
#   bash native-runner/cuda/bench/build.sh [OUT_DIR]      (default native-runner/build/cuda-bench)
#
# Environment: NVCC (default nvcc), ARCHS (space-separated, default "90a"; e.g. "80 90a" for an
# L4/A100 as well), JOBS (parallel compiles, default nproc). Prints the library's path last.
# The compiler's resource report (registers, spills, shared memory per kernel) is kept beside the
# library in ptxas.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cuda_dir="$(dirname "$here")"
out="${1:-$(dirname "$(dirname "$cuda_dir")")/native-runner/build/cuda-bench}"
nvcc="${NVCC:-nvcc}"
archs="${ARCHS:-90a}"
jobs="${JOBS:-$(nproc)}"
mkdir -p "$out/obj"

gencode=()
for a in $archs; do gencode+=("-gencode=arch=compute_${a},code=sm_${a}"); done
flags=(-O3 -std=c++17 -lineinfo -Xcompiler -fPIC -Xptxas -v "${gencode[@]}")

sources=("$cuda_dir"/flash_*.cu "$here/explore.cu" "$here/ceilings.cu" "$here/bench_api.cu")
echo "nvcc: $("$nvcc" --version | tail -1)" >&2
echo "flags: ${flags[*]}" >&2
printf '%s\n' "${flags[*]}" >"$out/flags.txt"

pids=()
for src in "${sources[@]}"; do
  obj="$out/obj/$(basename "${src%.cu}").o"
  # Skip up-to-date objects (sources and every header they may include).
  if [[ -f "$obj" && "$obj" -nt "$src" && -z "$(find "$cuda_dir" -maxdepth 1 -name '*.cuh' -newer "$obj")" \
        && "$(cat "$out/obj/.flags" 2>/dev/null)" == "${flags[*]}" ]]; then
    continue
  fi
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  ( "$nvcc" "${flags[@]}" -c -o "$obj" "$src" 2>"$obj.log" || { cat "$obj.log" >&2; exit 1; } ) &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
(( status == 0 )) || { echo "build failed" >&2; exit 1; }
printf '%s' "${flags[*]}" >"$out/obj/.flags"

cat "$out"/obj/*.o.log 2>/dev/null | grep -E "Compiling entry|registers|spill" >"$out/ptxas.txt" || true
objs=()
for src in "${sources[@]}"; do objs+=("$out/obj/$(basename "${src%.cu}").o"); done
"$nvcc" -shared "${gencode[@]}" -o "$out/libattnlab_cuda_bench.so" "${objs[@]}"
echo "$out/libattnlab_cuda_bench.so"
