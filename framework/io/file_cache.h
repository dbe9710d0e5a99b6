// Files that a recipe names (a teacher checkpoint, a student spec, an ablation table),
// read once per process: a search worker evaluates hundreds of candidates that name the
// same files. An entry is keyed by the file's absolute path and the type read from it,
// and holds while the file's size, modification time and inode stay as they were when it
// was read: a rewritten or replaced file is read again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <typeindex>

namespace lathe::io {

namespace detail {
std::shared_ptr<const void> cached_file(const std::string& path, std::type_index type,
                                        const std::function<std::shared_ptr<const void>()>& read);
}  // namespace detail

// The object `read(path)` returns, read once while the file stays the same. Shared and
// immutable: a caller that changes it copies it first. Errors of `read` propagate and
// cache nothing; a file that cannot be stat'ed (missing) is handed to `read` uncached,
// so that its own message reports it.
template <class T, class Read>
std::shared_ptr<const T> cached_file(const std::string& path, const Read& read) {
  return std::static_pointer_cast<const T>(detail::cached_file(
      path, std::type_index(typeid(T)),
      [&]() -> std::shared_ptr<const void> { return std::make_shared<const T>(read(path)); }));
}

// How many times the cache called a reader (its misses) since the process started.
std::int64_t file_cache_reads();
// Drops every entry for `path`, for a caller that has just written it.
void forget_cached_file(const std::string& path);

}  // namespace lathe::io
