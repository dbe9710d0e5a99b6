#include "io/path_checks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace lathe::io {
namespace {

namespace fs = std::filesystem;

// A file type other than regular, as a message names it.
std::string type_phrase(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// What stat's errno means for a path that should exist.
std::string stat_phrase(int error) {
  switch (error) {
    case ENOENT: return "no such file";
    case ELOOP: return "a symbolic link loop";
    case ENOTDIR: return "no such file (a component of the path is not a directory)";
    case ENAMETOOLONG: return "a path too long for the file system";
    case EACCES: return "not reachable: a directory on the way cannot be searched (Permission denied)";
    default: return std::string("not accessible: ") + std::strerror(error);
  }
}

// stat() follows links and never blocks; open() on a FIFO could, so the type comes first.
std::optional<std::string> problem_of(const std::string& path, struct stat& info) {
  if (path.empty()) return std::string("an empty path");
  if (::stat(path.c_str(), &info) != 0) return stat_phrase(errno);
  if (!S_ISREG(info.st_mode)) return type_phrase(info.st_mode);
  return std::nullopt;
}

std::string message(const std::string& path, const std::string& problem, const std::string& what,
                    const std::string& where) {
  const bool missing = problem.rfind("no such file", 0) == 0;
  if (where.empty()) {
    return missing ? path + ": " + problem + " (expected " + what + ")"
                   : path + ": " + problem + ", expected " + what;
  }
  return missing ? where + ": " + problem + ": " + path + " (expected " + what + ")"
                 : where + ": " + path + " is " + problem + ", expected " + what;
}

}  // namespace

std::optional<std::string> input_file_problem(const std::string& path) {
  struct stat info {};
  if (auto problem = problem_of(path, info)) return problem;
  // A regular file, so opening cannot block; this is the one honest readability test
  // (access() answers for the real uid, and root passes it for every file).
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (descriptor < 0) return std::string("not readable: ") + std::strerror(errno);
  ::close(descriptor);
  return std::nullopt;
}

bool path_is_missing(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) != 0 && errno == ENOENT;
}

void require_input_file(const std::string& path, const std::string& what, const std::string& where) {
  if (const auto problem = input_file_problem(path)) throw Error(message(path, *problem, what, where));
}

std::string read_text_file(const std::string& path, const std::string& what, const std::string& where) {
  require_input_file(path, what, where);
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  LATHE_CHECK(!file.bad(), path, ": read error: ", std::strerror(errno));
  return text.str();
}

void require_output_file(const std::string& path, const std::vector<std::string>& inputs,
                         const std::string& where) {
  LATHE_CHECK(!path.empty(), where, ": expected an output file path, got an empty one");
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    LATHE_CHECK(S_ISREG(info.st_mode), where, ": ", path, " is ", type_phrase(info.st_mode),
                ", expected a file path to write (an existing file is replaced)");
    for (const std::string& input : inputs) {
      struct stat other {};
      if (::stat(input.c_str(), &other) != 0) continue;
      LATHE_CHECK(other.st_ino != info.st_ino || other.st_dev != info.st_dev, where, ": ", path,
                  " is the input ", input, "; writing it would replace the input, give another path");
    }
    return;
  }
  LATHE_CHECK(errno == ENOENT, where, ": ", path, " cannot be written: ", stat_phrase(errno));
  // A new file: its nearest existing ancestor must be a directory (the rest is created).
  fs::path parent = fs::path(path).parent_path();
  while (!parent.empty()) {
    if (::stat(parent.c_str(), &info) == 0) {
      LATHE_CHECK(S_ISDIR(info.st_mode), where, ": ", path, " cannot be created: ", parent.string(),
                  " is ", type_phrase(info.st_mode), ", not a directory");
      return;
    }
    LATHE_CHECK(errno == ENOENT, where, ": ", path, " cannot be created: ", parent.string(), " is ",
                stat_phrase(errno));
    if (parent == parent.parent_path()) return;
    parent = parent.parent_path();
  }
}

}  // namespace lathe::io
