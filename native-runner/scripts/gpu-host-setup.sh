# Sourced on a GPU host, from the repository root, after gpu-host-carry.sh packed .carry/ and
# .gl/ here: unpacks Node into /tmp/node, the loaders into / (needs root), the node_modules into
# the tree, and points Vulkan at the NVIDIA ICD.
if [ ! -x /tmp/node/bin/node ]; then
  mkdir -p /tmp/node/bin && xz -dc .carry/node.xz > /tmp/node/bin/node && chmod +x /tmp/node/bin/node
fi
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
[ -d node_modules/tsx ] || tar -xJf .carry/nm.tar.xz
export PATH=/tmp/node/bin:$PATH
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json}
export PYTHONUNBUFFERED=1
