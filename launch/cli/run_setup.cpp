#include "cli/run_setup.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "backend/backend_factory.h"

namespace lathe::cli {

OptionSpec device_option() {
  return {"device", "cpu|cuda|auto",
          "cpu (default), cuda (the GPU numbered by the node-local rank) or auto (cuda when "
          "a GPU is visible)"};
}

std::unique_ptr<Backend> backend_from_options(const Arguments& arguments,
                                              const std::string& fallback_device) {
  const std::string device = arguments.value("device").value_or(fallback_device);
  const int threads = static_cast<int>(arguments.integer("threads", 0, 0, 1024));
  DeviceChoice chosen;
  std::unique_ptr<Backend> backend = make_backend(device, threads, true, &chosen);
  if (device != "cpu") print_device_reason(chosen);
  return backend;
}

void print_device_reason(const DeviceChoice& choice) {
  std::fprintf(stderr, "device: %s\n", choice.reason.c_str());
  std::fflush(stderr);
}

}  // namespace lathe::cli
