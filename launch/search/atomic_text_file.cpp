#include "search/atomic_text_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/error.h"

namespace lathe::search {
namespace {

namespace fs = std::filesystem;

// Writes all of `text` to a fresh file and syncs it: the rename only replaces the old
// file safely across a crash if the new one's data reached the disk first. On failure
// the file it created is removed (nothing is removed that it did not create).
void write_and_sync(const fs::path& file, const std::string& text, const std::string& path,
                    const std::string& what) {
  const int descriptor = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  LATHE_CHECK(descriptor >= 0, path, ": cannot create the temporary ", what, " ", file.string(), ": ",
              std::strerror(errno));
  const auto abandon = [&](const std::string& action, int error_number) {
    ::close(descriptor);
    ::unlink(file.c_str());
    fail(path, ": cannot ", action, " the temporary ", what, " ", file.string(), ": ", std::strerror(error_number));
  };
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0)
      abandon("write (" + std::to_string(written) + " of " + std::to_string(text.size()) + " bytes written)",
              count < 0 ? errno : ENOSPC);
    written += static_cast<std::size_t>(count);
  }
  if (::fsync(descriptor) != 0) abandon("sync to disk", errno);
  if (::close(descriptor) != 0) {
    const int close_errno = errno;
    ::unlink(file.c_str());
    fail(path, ": cannot close the temporary ", what, " ", file.string(), ": ", std::strerror(close_errno));
  }
}

}  // namespace

void write_text_file_atomically(const std::string& path, const std::string& text, const std::string& what) {
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code error;
  LATHE_CHECK(fs::is_directory(directory, error), path, ": cannot write the ", what, ": its directory ",
              directory.string(), " does not exist");
  const fs::path temporary(path + ".tmp");
  // A leftover from a crashed write is ours to replace; anything else there (a
  // directory) makes the create below fail with its name.
  if (fs::is_regular_file(fs::symlink_status(temporary, error))) fs::remove(temporary, error);
  write_and_sync(temporary, text, path, what);
  fs::rename(temporary, target, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    fail(path, ": cannot replace it with the new ", what, " ", temporary.string(), ": ", error.message());
  }
}

}  // namespace lathe::search
