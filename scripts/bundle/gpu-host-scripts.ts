/** The shell scripts of the GPU-host bundle (written by scripts/bundle-gpu-host.ts). */

const ENV_SH = `# Sourced by start.sh, run.sh, bench.sh and stream-check.sh: the bundled Vulkan loader, and the NVIDIA Vulkan
# ICD so Dawn sees the GPU (VK_DRIVER_FILES / VK_ICD_FILENAMES set by the caller win).
HERE=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$HERE/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -d /usr/local/nvidia/lib64 ]; then
  export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/usr/local/nvidia/lib64"
fi
if [ -z "\${VK_DRIVER_FILES:-}\${VK_ICD_FILENAMES:-}" ]; then
  # Headless containers: NVIDIA's usual ICD (libGLX_nvidia.so.0) cannot create an instance without
  # a display ("Could not get vkCreateInstance"); libEGL_nvidia.so.0 carries the same Vulkan
  # driver and works headless, so the bundle's own ICD file names it when it is installed.
  if ldconfig -p 2>/dev/null | grep -q 'libEGL_nvidia[.]so[.]0' || [ -e /usr/local/nvidia/lib64/libEGL_nvidia.so.0 ]; then
    export VK_DRIVER_FILES="$HERE/icd/nvidia_egl_icd.json"
  else
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \\
      /usr/share/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$icd" ]; then
        export VK_DRIVER_FILES="$icd"
        break
      fi
    done
  fi
fi
if [ -n "\${VK_DRIVER_FILES:-}" ]; then
  echo "attnlab bundle: Vulkan ICD $VK_DRIVER_FILES" >&2
fi
TSX="file://$HERE/node_modules/tsx/dist/loader.mjs"
`;

/** File name → contents (relative to the bundle folder). */
export const GPU_HOST_SCRIPTS: Readonly<Record<string, string>> = {
  'icd/nvidia_egl_icd.json':
    JSON.stringify({
      file_format_version: '1.0.1',
      ICD: { library_path: 'libEGL_nvidia.so.0', api_version: '1.3.0' },
    }) + '\n',
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
  'stream-check.sh': `#!/bin/sh
# A WebSocket client of a running ./start.sh: one run, every streamed message printed.
# ./stream-check.sh [--url ws://127.0.0.1:8765] [--backend cuda] [--kernel flash] [--shape B,H,S,D]
set -e
. "$(cd "$(dirname "$0")" && pwd)/env.sh"
exec "$HERE/node" --import "$TSX" "$HERE/scripts/stream-check.ts" "$@"
`,
};
