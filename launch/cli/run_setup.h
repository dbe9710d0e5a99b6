// What `lathe train` and `lathe evaluate` share: thread choice, the backend, timestamps.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"

namespace lathe::cli {

// 0 means OMP_NUM_THREADS when set, else every core.
int resolve_threads(int requested);
std::unique_ptr<Backend> make_backend(const std::string& device, int threads);
std::string utc_timestamp();

}  // namespace lathe::cli
