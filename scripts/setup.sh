#!/usr/bin/env bash
# Installs what Lathe needs to build, test and run its demo. On Debian/Ubuntu as root it
# apt-get installs the missing packages; elsewhere it names what is missing and how to
# get it (on a cluster: load the modules). Idempotent, and quick when all is present.
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --bench    also PyTorch and h5py, the peers of the benchmarks
set -euo pipefail

packages=(cmake g++ make pkg-config libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools
          libeigen3-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
          libopenblas-openmp-dev libdnnl-dev dataset-fashion-mnist python3-h5py chromium
          slurmctld slurmd slurm-client munge iproute2
          # ONNX import/export (framework/onnx/) and its peers in tests/onnx/: PyTorch,
          # onnx.checker, and Node for ONNX Runtime (npm-installed by the ctest fixture)
          libonnx-dev libprotobuf-dev python3-onnx python3-torch nodejs
          # clang 14: the fuzz preset (scripts/fuzz.sh)
          clang-14 libclang-rt-14-dev libomp-14-dev)
# A Node from elsewhere (e.g. NodeSource) brings its own npm and conflicts with Debian's.
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-torch)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  cat >&2 <<MSG
setup.sh: this is not a Debian/Ubuntu system, so nothing was installed.
Lathe needs: CMake >= 3.25, a C++20 compiler (g++ >= 12), Open MPI, HDF5 (C library),
Eigen >= 3.4, yaml-cpp, GoogleTest, Google Benchmark, zlib, OpenBLAS and oneDNN (optional, faster),
the Fashion-MNIST IDX files (set data.train_images etc. in the configs), and for
ONNX import/export the onnx library with its CMake config (onnx_proto) and protobuf;
the ONNX tests also use PyTorch, the onnx Python package and Node with npm.
On an HPC cluster, e.g.: module load cmake gcc openmpi hdf5 eigen openblas
MSG
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup.sh: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: missing packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup.sh: installed ${#missing[@]} packages"
