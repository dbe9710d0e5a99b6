#include "io/atomic_hdf5_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "io/hdf5_calls.h"

namespace lathe::io {
namespace {

namespace fs = std::filesystem;

// Removes the temporary file when it goes out of scope: after a failure, and harmlessly
// after the rename, when nothing is left under its name.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The rename only replaces the old file safely across a crash if the new file's data
// reached the disk first.
void sync_to_disk(const fs::path& file, const std::string& path) {
  const int descriptor = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  LATHE_CHECK(descriptor >= 0, path, ": cannot reopen the temporary file ", file.string(),
              " to sync it: ", std::strerror(errno));
  const int status = ::fsync(descriptor);
  const int sync_errno = errno;
  ::close(descriptor);
  LATHE_CHECK(status == 0, path, ": cannot sync the temporary file ", file.string(),
              " to disk: ", std::strerror(sync_errno));
}

}  // namespace

void write_hdf5_atomically(const std::string& path, const char* what,
                           const std::function<void(hid_t file)>& write) {
  silence_hdf5_error_printing();
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code error;
  LATHE_CHECK(fs::is_directory(directory, error), path, ": cannot write the ", what,
              ": its directory ", directory.string(), " does not exist");

  const TemporaryFile temporary(target.string() + ".tmp-" + std::to_string(::getpid()));
  {
    const Hdf5Handle file =
        own(H5Fcreate(temporary.path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, path,
            ": cannot create the temporary file ", temporary.path().string());
    write(file.get());
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), path, ": cannot flush the temporary file ",
          temporary.path().string());
  }
  sync_to_disk(temporary.path(), path);
  fs::rename(temporary.path(), target, error);
  LATHE_CHECK(!error, path, ": cannot replace it with the new ", what, " ", temporary.path().string(),
              ": ", error.message());
}

}  // namespace lathe::io
