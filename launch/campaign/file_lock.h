// An exclusive lock on a file (flock), held while the object lives and released by the
// kernel when the process dies, so a killed task never leaves its lock behind. A campaign
// takes one per task (two processes must never run one search: the journal has one
// writer) and one around preparing a base (tasks that share a base train it once).
#pragma once

#include <optional>
#include <string>

namespace lathe::campaign {

class FileLock {
 public:
  // The lock on `path` (created when missing), or nothing when another process holds it.
  static std::optional<FileLock> try_lock(const std::string& path);
  // Waits until the lock is free.
  static FileLock wait_for(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int descriptor) : descriptor_(descriptor) {}
  int descriptor_ = -1;
};

}  // namespace lathe::campaign
