# Decides LATHE_WITH_ONEDNN: the CPU backend's convolutions through oneDNN primitives
# (framework/backend/onednn/). Its default is ON when oneDNN's header and library are
# found (Debian's libdnnl-dev; on a cluster, a oneDNN module with DNNLROOT set), OFF
# otherwise with a STATUS line, so the pure Eigen/OpenBLAS engine builds without it.
# Forcing -DLATHE_WITH_ONEDNN=ON where it is missing is a FATAL_ERROR.
#
# find_library/find_path rather than oneDNN's own dnnl-config.cmake: Debian's config
# requires OpenCL (its GPU runtime), which the CPU engine never uses.
#
# Defines the target lathe_onednn (empty when OFF) and, when ON, LATHE_HAVE_ONEDNN=1 on it.
find_path(LATHE_ONEDNN_INCLUDE_DIR NAMES oneapi/dnnl/dnnl.hpp HINTS $ENV{DNNLROOT}/include)
find_library(LATHE_ONEDNN_LIBRARY NAMES dnnl HINTS $ENV{DNNLROOT}/lib $ENV{DNNLROOT}/lib64)
if(LATHE_ONEDNN_INCLUDE_DIR AND LATHE_ONEDNN_LIBRARY)
  set(_lathe_onednn_found ON)
else()
  set(_lathe_onednn_found OFF)
endif()
option(LATHE_WITH_ONEDNN "CPU convolutions through oneDNN (libdnnl-dev)" ${_lathe_onednn_found})

add_library(lathe_onednn INTERFACE)
if(NOT LATHE_WITH_ONEDNN)
  if(_lathe_onednn_found)
    message(STATUS "Lathe: convolutions by im2col + GEMM (LATHE_WITH_ONEDNN=OFF)")
  else()
    message(STATUS "Lathe: convolutions by im2col + GEMM (oneDNN not found: libdnnl-dev)")
  endif()
  return()
endif()
if(NOT _lathe_onednn_found)
  message(FATAL_ERROR "Lathe: LATHE_WITH_ONEDNN=ON but oneDNN was not found: install "
                      "libdnnl-dev, or set DNNLROOT to a oneDNN installation")
endif()
message(STATUS "Lathe: convolutions by oneDNN ${LATHE_ONEDNN_LIBRARY}")
target_link_libraries(lathe_onednn INTERFACE ${LATHE_ONEDNN_LIBRARY})
target_include_directories(lathe_onednn SYSTEM INTERFACE ${LATHE_ONEDNN_INCLUDE_DIR})
target_compile_definitions(lathe_onednn INTERFACE LATHE_HAVE_ONEDNN=1)
