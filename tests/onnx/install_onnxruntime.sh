#!/usr/bin/env bash
# Installs ONNX Runtime for Node (the peer of tests/onnx/) into DIR/node_modules, once:
# ctest runs this as the setup fixture of the onnx tests. --ignore-scripts: the package's
# install script only downloads GPU libraries, which the CPU tests do not need.
#   tests/onnx/install_onnxruntime.sh DIR
set -euo pipefail
dir="$1"
version=1.30.0
if [[ -f "$dir/node_modules/onnxruntime-node/package.json" ]] &&
   grep -q "\"version\": \"$version\"" "$dir/node_modules/onnxruntime-node/package.json"; then
  echo "install_onnxruntime.sh: onnxruntime-node $version present in $dir"
  exit 0
fi
command -v npm >/dev/null || { echo "install_onnxruntime.sh: npm is missing (scripts/setup.sh installs it)" >&2; exit 1; }
mkdir -p "$dir"
npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --no-save "onnxruntime-node@$version"
