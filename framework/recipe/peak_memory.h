// The process's peak resident set size, for a candidate's metrics: a worker that
// evaluates candidates one after another reports the high-water mark so far.
#pragma once

#include <cstdint>
#include <string>

namespace lathe::recipe {

// VmHWM of /proc/self/status in bytes; 0 where it cannot be read (not Linux).
std::int64_t peak_memory_bytes();
// VmHWM in bytes from the text of a /proc/<pid>/status file; 0 when it has none.
std::int64_t peak_memory_from_status(const std::string& status_text);

}  // namespace lathe::recipe
