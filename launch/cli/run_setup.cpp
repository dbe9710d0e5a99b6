#include "cli/run_setup.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "core/error.h"

namespace lathe::cli {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  if (const char* env = std::getenv("OMP_NUM_THREADS"); env != nullptr && std::atoi(env) > 0) {
    return std::atoi(env);
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

std::unique_ptr<Backend> make_backend(const std::string& device, int threads) {
  LATHE_CHECK(device == "cpu", "device '", device, "' is not available in this build (cpu only)");
  return make_cpu_backend(resolve_threads(threads));
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace lathe::cli
