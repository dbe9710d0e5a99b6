#include "io/file_cache.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

namespace lathe::io {
namespace {

// What must not change for a cached object to stand for the file.
struct FileIdentity {
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
  bool operator==(const FileIdentity&) const = default;
};

std::optional<FileIdentity> identity_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return FileIdentity{static_cast<std::int64_t>(info.st_size),
                      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 +
                          static_cast<std::int64_t>(info.st_mtim.tv_nsec),
                      static_cast<std::uint64_t>(info.st_ino),
                      static_cast<std::uint64_t>(info.st_dev)};
}

struct Entry {
  FileIdentity identity;
  std::shared_ptr<const void> object;
};

struct Cache {
  std::mutex mutex;
  std::map<std::pair<std::string, std::type_index>, Entry> entries;
};

Cache& cache() {
  static Cache instance;
  return instance;
}

std::atomic<std::int64_t> reads{0};

std::string absolute_path(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

}  // namespace

namespace detail {

std::shared_ptr<const void> cached_file(const std::string& path, std::type_index type,
                                        const std::function<std::shared_ptr<const void>()>& read) {
  const std::optional<FileIdentity> before = identity_of(path);
  if (!before) {
    ++reads;
    return read();
  }
  const auto key = std::make_pair(absolute_path(path), type);
  Cache& shared = cache();
  {
    const std::lock_guard<std::mutex> lock(shared.mutex);
    const auto found = shared.entries.find(key);
    if (found != shared.entries.end() && found->second.identity == *before) {
      return found->second.object;
    }
  }
  // Read without the lock: two threads may both read a new file, never block each other.
  ++reads;
  std::shared_ptr<const void> object = read();
  // A file that changed while it was read may be torn: used once, not kept.
  if (identity_of(path) == before) {
    const std::lock_guard<std::mutex> lock(shared.mutex);
    shared.entries.insert_or_assign(key, Entry{*before, object});
  }
  return object;
}

}  // namespace detail

std::int64_t file_cache_reads() { return reads.load(); }

void forget_cached_file(const std::string& path) {
  const std::string absolute = absolute_path(path);
  Cache& shared = cache();
  const std::lock_guard<std::mutex> lock(shared.mutex);
  for (auto it = shared.entries.begin(); it != shared.entries.end();) {
    it = it->first.first == absolute ? shared.entries.erase(it) : std::next(it);
  }
}

}  // namespace lathe::io
