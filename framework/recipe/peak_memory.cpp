#include "recipe/peak_memory.h"

#include <fstream>
#include <sstream>

namespace lathe::recipe {

std::int64_t peak_memory_from_status(const std::string& status_text) {
  std::istringstream lines(status_text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    // "VmHWM:     123456 kB": the kernel always reports kB.
    std::istringstream fields(line.substr(6));
    std::int64_t kilobytes = 0;
    std::string unit;
    if (!(fields >> kilobytes >> unit) || unit != "kB" || kilobytes < 0) return 0;
    return kilobytes * 1024;
  }
  return 0;
}

std::int64_t peak_memory_bytes() {
  std::ifstream file("/proc/self/status");
  if (!file) return 0;
  std::ostringstream text;
  text << file.rdbuf();
  return peak_memory_from_status(text.str());
}

}  // namespace lathe::recipe
