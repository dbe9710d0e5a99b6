# Finds OpenBLAS for the CPU backend's GEMMs. Debian ships an OpenMP-threaded build
# (libopenblas-openmp-dev) beside the pthreads one; prefer it, so BLAS and the engine's
# own OpenMP loops share one thread pool instead of two pools spinning against each other
# on a 2-core machine. Defines the target lathe_blas (empty when OFF or not found).
add_library(lathe_blas INTERFACE)
if(NOT LATHE_WITH_OPENBLAS)
  message(STATUS "Lathe: GEMM by Eigen (LATHE_WITH_OPENBLAS=OFF)")
  return()
endif()

set(_lathe_openblas_hints
    /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/aarch64-linux-gnu/openblas-openmp)
set(_lathe_openblas_include_hints
    /usr/include/x86_64-linux-gnu/openblas-openmp /usr/include/aarch64-linux-gnu/openblas-openmp)
find_library(LATHE_OPENBLAS_LIBRARY NAMES openblas HINTS ${_lathe_openblas_hints}
             $ENV{OPENBLAS_ROOT}/lib)
find_path(LATHE_OPENBLAS_INCLUDE_DIR NAMES cblas.h HINTS ${_lathe_openblas_include_hints}
          $ENV{OPENBLAS_ROOT}/include PATH_SUFFIXES openblas)
if(LATHE_OPENBLAS_LIBRARY AND LATHE_OPENBLAS_INCLUDE_DIR)
  message(STATUS "Lathe: GEMM by OpenBLAS ${LATHE_OPENBLAS_LIBRARY}")
  target_link_libraries(lathe_blas INTERFACE ${LATHE_OPENBLAS_LIBRARY})
  target_include_directories(lathe_blas INTERFACE ${LATHE_OPENBLAS_INCLUDE_DIR})
  target_compile_definitions(lathe_blas INTERFACE LATHE_HAVE_OPENBLAS=1)
else()
  message(WARNING "Lathe: OpenBLAS not found, GEMM falls back to Eigen (slower). "
                  "Install libopenblas-openmp-dev, or load an OpenBLAS module.")
endif()
