#!/bin/sh
# Builds the attnlab CPU harness. Usage: sh build.sh OUTPUT [extra g++ flags]
# native-runner/src/build.ts runs the same command (it is the source of truth for the flags the
# runner records); this script is for building by hand.
set -eu
here=$(dirname "$0")
out=${1:-"$here/../build/cpu/attnlab-cpu"}
shift || true
flags="-O3 -march=native -fopenmp -std=c++17"
mkdir -p "$(dirname "$out")"
g++ $flags "$@" -DATTNLAB_CXX_FLAGS="\"$flags\"" -o "$out" "$here/harness.cpp" "$here/kernels.cpp"
echo "built $out"
