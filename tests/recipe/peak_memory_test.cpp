#include "recipe/peak_memory.h"

#include <gtest/gtest.h>

namespace lathe::recipe {
namespace {

TEST(PeakMemory, ReadsVmHwmInBytesFromAStatusFile) {
  EXPECT_EQ(peak_memory_from_status("Name:\tlathe\nVmPeak:\t  99999 kB\nVmHWM:\t   1234 kB\nVmRSS:\t 1000 kB\n"),
            1234 * 1024);
  EXPECT_EQ(peak_memory_from_status("Name:\tlathe\nVmRSS:\t 1000 kB\n"), 0);  // no VmHWM line
  EXPECT_EQ(peak_memory_from_status("VmHWM:\t  garbled\n"), 0);
  EXPECT_GT(peak_memory_bytes(), 0);  // this process, on Linux
}

}  // namespace
}  // namespace lathe::recipe
