#include "backend/cpu/cpu_backend.h"

#include <omp.h>

#include <Eigen/Core>

#include "core/error.h"

#ifdef LATHE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace lathe {

CpuBackend::CpuBackend(int threads) { set_threads(threads); }

void CpuBackend::set_threads(int threads) {
  LATHE_CHECK(threads >= 1, "cpu backend: threads must be at least 1, found ", threads);
  threads_ = threads;
  omp_set_num_threads(threads);
#ifdef LATHE_HAVE_OPENBLAS
  openblas_set_num_threads(threads);
#endif
  Eigen::setNbThreads(threads);
}

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace lathe
