#include "backend/cpu/cpu_backend.h"

#include "core/error.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/onednn_convolutions.h"
#include "backend/onednn/onednn_inner_products.h"
#endif

namespace lathe {

CpuBackend::CpuBackend(int threads, ConvolutionRoute route) : route_(route) {
  set_threads(threads);
#ifdef LATHE_HAVE_ONEDNN
  if (route_ != ConvolutionRoute::im2col) {
    onednn_ = std::make_unique<onednn::Convolutions>();
    inner_products_ = std::make_unique<onednn::InnerProducts>();
  }
#else
  LATHE_CHECK(route_ != ConvolutionRoute::onednn,
              "cpu backend: convolutions by oneDNN were asked for, but this build has no oneDNN "
              "(configure with -DLATHE_WITH_ONEDNN=ON, libdnnl-dev)");
#endif
}

CpuBackend::~CpuBackend() = default;

// Only the count is kept: each op applies it to the calling thread for its duration
// (cpu::ThreadScope). OpenMP's nthreads setting is per calling thread, and OpenBLAS's
// OpenMP build, Eigen (never given a count of its own) and oneDNN's OpenMP runtime all
// read it when they run, so nothing process-wide is changed.
void CpuBackend::set_threads(int threads) {
  LATHE_CHECK(threads >= 1, "cpu backend: threads must be at least 1, found ", threads);
  threads_ = threads;
}

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace lathe
