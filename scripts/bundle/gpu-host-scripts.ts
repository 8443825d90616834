/** The shell scripts of the GPU-host bundle (written by scripts/bundle-gpu-host.ts). */

const ENV_SH = `# Sourced by start.sh, run.sh and bench.sh: the bundled Vulkan loader, and the NVIDIA Vulkan
# ICD so Dawn sees the GPU (VK_DRIVER_FILES / VK_ICD_FILENAMES set by the caller win).
HERE=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$HERE/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "\${VK_DRIVER_FILES:-}\${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \\
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then
      export VK_DRIVER_FILES="$icd"
      break
    fi
  done
fi
[ -n "\${VK_DRIVER_FILES:-}" ] && echo "attnlab bundle: Vulkan ICD $VK_DRIVER_FILES" >&2
TSX="file://$HERE/node_modules/tsx/dist/loader.mjs"
`;

/** File name → contents. */
export const GPU_HOST_SCRIPTS: Readonly<Record<string, string>> = {
  'env.sh': ENV_SH,
  'start.sh': `#!/bin/sh
# The native runner server on this host: ./start.sh [attnlab serve flags], e.g. --port 8787.
set -e
. "$(cd "$(dirname "$0")" && pwd)/env.sh"
exec "$HERE/node" "$HERE/bin/attnlab.js" serve "$@"
`,
  'run.sh': `#!/bin/sh
# One run, no server: ./run.sh --backend dawn|cuda|sdpa -k KERNEL [attnlab run flags].
set -e
. "$(cd "$(dirname "$0")" && pwd)/env.sh"
exec "$HERE/node" "$HERE/bin/attnlab.js" run "$@"
`,
  'bench.sh': `#!/bin/sh
# WGSL through Dawn vs CUDA/SDPA on the issue's shapes: ./bench.sh [--sweep] [--out DIR].
set -e
. "$(cd "$(dirname "$0")" && pwd)/env.sh"
exec "$HERE/node" --import "$TSX" "$HERE/scripts/bench-webgpu-vs-cuda.ts" "$@"
`,
};
