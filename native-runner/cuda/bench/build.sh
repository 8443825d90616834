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

# An object is up to date when it is newer than its source and every header nvcc reported it
# includes (-MD dependency files), and was built with the same flags.
up_to_date() {
  local obj="$1" dep="$1.d"
  [[ -f "$obj" && -f "$dep" && "$(cat "$out/obj/.flags" 2>/dev/null)" == "${flags[*]}" ]] || return 1
  local f
  for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    [[ "$f" -nt "$obj" ]] && return 1
  done
  return 0
}

pids=()
for src in "${sources[@]}"; do
  obj="$out/obj/$(basename "${src%.cu}").o"
  up_to_date "$obj" && continue
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  ( "$nvcc" "${flags[@]}" -MD -MF "$obj.d" -c -o "$obj" "$src" 2>"$obj.log" \
      || { cat "$obj.log" >&2; exit 1; } ) &
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
