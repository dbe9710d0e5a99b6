#include "campaign/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace lathe::campaign {
namespace {

int open_lock_file(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  LATHE_CHECK(descriptor >= 0, path, ": cannot open the lock file: ", std::strerror(errno));
  return descriptor;
}

}  // namespace

std::optional<FileLock> FileLock::try_lock(const std::string& path) {
  const int descriptor = open_lock_file(path);
  if (::flock(descriptor, LOCK_EX | LOCK_NB) == 0) return FileLock(descriptor);
  const int error_number = errno;
  ::close(descriptor);
  LATHE_CHECK(error_number == EWOULDBLOCK, path, ": cannot lock: ", std::strerror(error_number));
  return std::nullopt;
}

FileLock FileLock::wait_for(const std::string& path) {
  const int descriptor = open_lock_file(path);
  while (::flock(descriptor, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int error_number = errno;
    ::close(descriptor);
    fail(path, ": cannot lock: ", std::strerror(error_number));
  }
  return FileLock(descriptor);
}

FileLock::FileLock(FileLock&& other) noexcept : descriptor_(other.descriptor_) { other.descriptor_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (descriptor_ >= 0) ::close(descriptor_);
    descriptor_ = other.descriptor_;
    other.descriptor_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (descriptor_ >= 0) ::close(descriptor_);  // closing releases the flock
}

}  // namespace lathe::campaign
