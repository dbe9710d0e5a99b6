#include "io/hdf5_structure_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "io/global_heap_check.h"
#include "io/group_btree_check.h"
#include "io/hdf5_file_bytes.h"
#include "io/local_heap_check.h"
#include "io/object_header_walk.h"

namespace lathe::io {
namespace {

// The HDF5 file format specification (version 1.10), "Superblock": versions 0 and 1 give
// the size of offsets and of lengths at bytes 13 and 14, versions 2 and 3 at 9 and 10.
// A superblock elsewhere than at byte 0 (after a user block) keeps the defaults.
void read_sizes(Hdf5FileBytes& file) {
  if (file.size < 16 || std::memcmp(file.data, "\x89HDF\r\n\x1a\n", 8) != 0) return;
  file.addresses_from_start = true;
  const int version = file.data[8];
  const auto declared = [](int bytes) { return bytes == 2 || bytes == 4 || bytes == 8 ? bytes : 8; };
  file.offset_bytes = declared(version <= 1 ? file.data[13] : file.data[9]);
  file.length_bytes = declared(version <= 1 ? file.data[14] : file.data[10]);
}

// A read-only mapping of the whole file, unmapped when it goes.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    LATHE_CHECK(fd >= 0, path, ": cannot open it: ", std::strerror(errno));
    struct stat status {};
    if (::fstat(fd, &status) != 0 || status.st_size <= 0) {
      ::close(fd);
      return;  // nothing to check; the HDF5 checks that follow say what is wrong
    }
    size_ = static_cast<std::size_t>(status.st_size);
    void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int mmap_errno = errno;
    ::close(fd);
    LATHE_CHECK(mapped != MAP_FAILED, path, ": cannot read it: ", std::strerror(mmap_errno));
    data_ = static_cast<const unsigned char*>(mapped);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
  }

  [[nodiscard]] const unsigned char* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

void require_walkable_hdf5_file(const std::string& path) {
  const MappedFile mapped(path);
  if (mapped.data() == nullptr) return;
  Hdf5FileBytes file{mapped.data(), mapped.size()};
  read_sizes(file);
  check_global_heaps(file, path);
  check_group_btrees(file, path);
  check_local_heaps(file, path);
  // After the scans, whose messages name the structure itself: the walk names what points at it.
  walk_object_headers(file, path);
}

}  // namespace lathe::io
