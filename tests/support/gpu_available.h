// Tests that need a GPU skip, with the reason, where there is none (this build has no
// CUDA, no driver, or no device): they build everywhere and run where a GPU exists.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "backend/cuda_support.h"

namespace lathe::test_support {

// "" when a GPU is there, else the runtime's reason.
inline std::string why_no_gpu() {
  std::string why;
  if (cuda_device_count(&why) > 0) return "";
  return why.empty() ? std::string("no GPU is visible") : why;
}

}  // namespace lathe::test_support

// First statement of a test that needs a GPU: "skipped: no GPU (<reason>)".
#define LATHE_SKIP_WITHOUT_GPU()                                              \
  do {                                                                        \
    const std::string lathe_why_no_gpu = ::lathe::test_support::why_no_gpu(); \
    if (!lathe_why_no_gpu.empty()) {                                          \
      GTEST_SKIP() << "skipped: no GPU (" << lathe_why_no_gpu << ")";         \
    }                                                                         \
  } while (false)
