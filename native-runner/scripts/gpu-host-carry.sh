#!/usr/bin/env bash
# Packs what the repository's Node scripts need on a GPU host that has no package registry and
# no Node (e.g. a lent machine that receives a copy of the working tree), into two git-ignored
# folders at the repository root:
#   .carry/node.xz        this machine's Node binary, xz-compressed (~24 MB)
#   .carry/nm.tar.xz      the production node_modules (Dawn's addon for linux-x64 only)
#   .gl/*.deb             Debian's Vulkan loader and GL dispatch libraries (the NVIDIA Vulkan
#                         ICD needs libglvnd; without them Dawn finds no adapter)
# On the host, from the repository root:  source native-runner/scripts/gpu-host-setup.sh
# then e.g.  node --import tsx scripts/bench-webgpu-vs-cuda.ts --decode --out "$OUT".
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .carry .gl
xz -T0 -c "$(command -v node)" > .carry/node.xz
npm ls --omit=dev --all --parseable 2>/dev/null | sed "s|^$PWD/||" | grep '^node_modules/' |
  grep -v '/node_modules/.*/node_modules/' | sort -u > .carry/packages.txt
tar -cf - --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/esbuild/bin/esbuild' \
  $(cat .carry/packages.txt) | xz -T0 -c > .carry/nm.tar.xz
lists=$(mktemp -d)
mkdir -p "$lists/partial"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${o[@]}" update -qq
(cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .carry .gl
