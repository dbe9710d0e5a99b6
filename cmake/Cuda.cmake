# Decides LATHE_WITH_CUDA, the GPU backend of framework/backend/cuda/ (cuDNN + cuBLAS).
# Its default is ON when this machine has the CUDA toolkit (nvcc, cudart, cuBLAS) and
# cuDNN, OFF otherwise with a STATUS line saying what is missing, so a machine without a
# GPU toolkit (CI) configures and builds the CPU engine with nothing from CUDA. Forcing
# -DLATHE_WITH_CUDA=ON where something is missing is a FATAL_ERROR naming it.
#
# When ON: the CUDA language is enabled (CMAKE_CUDA_ARCHITECTURES defaults to 80;90, i.e.
# A100 and H100 SASS plus PTX that newer GPUs compile at load time) and the imported
# target lathe_cudnn holds cuDNN. framework/CMakeLists.txt builds lathe_cuda_backend.
#
# Cache variables: LATHE_WITH_CUDA, LATHE_CUDNN_LIBRARY, LATHE_CUDNN_INCLUDE_DIR, and
# CMake's own CUDAToolkit_ROOT, CMAKE_CUDA_ARCHITECTURES, CMAKE_CUDA_COMPILER.

# The toolkit's usual home, preferred to a wrapper script that may sit on PATH. A user's
# CUDAToolkit_ROOT (cache or environment) or CMAKE_CUDA_COMPILER wins.
if(NOT DEFINED CUDAToolkit_ROOT AND NOT DEFINED ENV{CUDAToolkit_ROOT}
   AND NOT DEFINED CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CUDAToolkit_ROOT /usr/local/cuda)
endif()

# LATHE_CUDA_MISSING: what this machine lacks for the backend ("" when nothing).
set(LATHE_CUDA_MISSING "")
find_package(CUDAToolkit QUIET)
if(NOT CUDAToolkit_FOUND OR NOT CUDAToolkit_NVCC_EXECUTABLE
   OR NOT EXISTS "${CUDAToolkit_NVCC_EXECUTABLE}")
  set(LATHE_CUDA_MISSING "nvcc not found (install the CUDA toolkit or set CUDAToolkit_ROOT)")
elseif(CUDAToolkit_VERSION VERSION_LESS 12.0)
  # The kernels include the engine's C++20 headers: nvcc takes -std=c++20 from CUDA 12.
  set(LATHE_CUDA_MISSING "CUDA 12 or newer not found (found ${CUDAToolkit_VERSION})")
elseif(NOT TARGET CUDA::cudart OR NOT TARGET CUDA::cublas)
  set(LATHE_CUDA_MISSING "cudart or cuBLAS not found in the CUDA toolkit at ${CUDAToolkit_LIBRARY_DIR}")
else()
  find_library(LATHE_CUDNN_LIBRARY NAMES cudnn
               HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT} ENV CUDNN_ROOT
               PATH_SUFFIXES lib lib64 lib/x64)
  find_path(LATHE_CUDNN_INCLUDE_DIR NAMES cudnn.h
            HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV CUDNN_ROOT PATH_SUFFIXES include)
  if(NOT LATHE_CUDNN_LIBRARY OR NOT EXISTS "${LATHE_CUDNN_INCLUDE_DIR}/cudnn.h")
    set(LATHE_CUDA_MISSING "cuDNN not found (libcudnn and cudnn.h; set CUDNN_ROOT)")
  elseif(NOT EXISTS "${LATHE_CUDNN_INCLUDE_DIR}/cudnn_version.h")
    set(LATHE_CUDA_MISSING
        "cuDNN 8 or newer not found (${LATHE_CUDNN_INCLUDE_DIR} has no cudnn_version.h)")
  else()
    # The legacy convolution, pooling and batchnorm calls and cudnnGet*_v7: cuDNN 8 and 9.
    file(STRINGS "${LATHE_CUDNN_INCLUDE_DIR}/cudnn_version.h" _lathe_cudnn_major_line
         REGEX "^#define CUDNN_MAJOR [0-9]+")
    string(REGEX REPLACE "^#define CUDNN_MAJOR ([0-9]+).*" "\\1" LATHE_CUDNN_MAJOR_VERSION
           "${_lathe_cudnn_major_line}")
    if(NOT LATHE_CUDNN_MAJOR_VERSION OR LATHE_CUDNN_MAJOR_VERSION LESS 8)
      set(LATHE_CUDA_MISSING
          "cuDNN 8 or newer not found (found major version '${LATHE_CUDNN_MAJOR_VERSION}')")
    endif()
  endif()
endif()
if(LATHE_CUDA_MISSING STREQUAL "")
  set(_lathe_cuda_default ON)
else()
  set(_lathe_cuda_default OFF)
endif()
option(LATHE_WITH_CUDA "Build the CUDA backend (cuDNN + cuBLAS) in framework/backend/cuda/"
       ${_lathe_cuda_default})

# option() keeps a value already in the cache: the user's -D, or the default of the
# first configure.
if(NOT LATHE_WITH_CUDA)
  if(LATHE_CUDA_MISSING STREQUAL "")
    message(STATUS "Lathe: LATHE_WITH_CUDA OFF: CPU backend only "
                   "(this machine has CUDA and cuDNN: -DLATHE_WITH_CUDA=ON builds the GPU backend)")
  else()
    message(STATUS "Lathe: LATHE_WITH_CUDA OFF: ${LATHE_CUDA_MISSING}")
  endif()
  return()
endif()
if(NOT LATHE_CUDA_MISSING STREQUAL "")
  message(FATAL_ERROR "Lathe: LATHE_WITH_CUDA=ON but ${LATHE_CUDA_MISSING}. "
                      "Configure with -DLATHE_WITH_CUDA=OFF for a CPU-only build.")
endif()

if(NOT DEFINED CMAKE_CUDA_COMPILER)
  set(CMAKE_CUDA_COMPILER "${CUDAToolkit_NVCC_EXECUTABLE}" CACHE FILEPATH "nvcc")
endif()
# nvcc compiles host code with the C++ compiler the rest of Lathe uses (one ABI).
if(NOT DEFINED CMAKE_CUDA_HOST_COMPILER AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(CMAKE_CUDA_HOST_COMPILER "${CMAKE_CXX_COMPILER}" CACHE FILEPATH "nvcc's host compiler")
endif()
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND NOT DEFINED ENV{CUDAARCHS})
  set(CMAKE_CUDA_ARCHITECTURES "80;90" CACHE STRING "GPU architectures the CUDA backend is built for")
endif()
# The shared runtime, which cuDNN and cuBLAS use too: with CMake's default (Static), an
# executable would link cudart_static beside CUDA::cudart, two runtimes in one process.
set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
enable_language(CUDA)
# C++20, as the rest of Lathe (CMake would otherwise take CXX_STANDARD for CUDA too).
# CMake 3.25 knows no CUDA20 dialect for nvcc, which takes -std=c++20 from CUDA 12 with
# g++ 10 or newer; such CMakes are told the flag.
if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()
set(CMAKE_CUDA_STANDARD 20)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
set(CMAKE_CUDA_EXTENSIONS OFF)

add_library(lathe_cudnn SHARED IMPORTED GLOBAL)
set_target_properties(lathe_cudnn PROPERTIES
  IMPORTED_LOCATION "${LATHE_CUDNN_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LATHE_CUDNN_INCLUDE_DIR}")
message(STATUS "Lathe: LATHE_WITH_CUDA ON: CUDA ${CUDAToolkit_VERSION} (${CMAKE_CUDA_COMPILER}), "
               "cuDNN ${LATHE_CUDNN_MAJOR_VERSION} (${LATHE_CUDNN_LIBRARY}), "
               "architectures ${CMAKE_CUDA_ARCHITECTURES}")
