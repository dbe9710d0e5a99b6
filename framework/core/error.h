// Lathe's one error type. Every message names where the problem is (a file, a key,
// a tensor), what was expected and what was found; the command line catches it once,
// prints it and exits non-zero. Never abort() on user input.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace lathe {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Streams every part into one message and throws it as lathe::Error.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream message;
  (message << ... << parts);
  throw Error(message.str());
}

}  // namespace lathe

// LATHE_CHECK(shape_ok, path, ": weights/conv1: expected ", want, ", found ", got);
#define LATHE_CHECK(condition, ...)   \
  do {                                \
    if (!(condition)) {               \
      ::lathe::fail(__VA_ARGS__);     \
    }                                 \
  } while (false)
