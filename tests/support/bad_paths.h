// The paths people hand to a program by mistake, made for real in a TempDir: nothing, a
// directory, a named pipe (opening it would block), a symbolic link loop, a device, a
// file under a file, and a file its user cannot read. Each comes with the phrase the
// message must contain, so every reader is tested against the whole class in one table.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace lathe::test_support {

struct BadPath {
  std::string kind;    // for the test's failure message
  std::string path;
  std::string phrase;  // what the error must say about it
};

// Makes the bad paths inside `dir`. The unreadable file is left out when running as root
// (root reads every file, so the case cannot happen there).
inline std::vector<BadPath> make_bad_paths(const TempDir& dir) {
  namespace fs = std::filesystem;
  std::vector<BadPath> paths;
  paths.push_back({"missing", dir.file("absent.yaml"), "no such file"});
  fs::create_directories(dir.file("a-directory.yaml"));
  paths.push_back({"directory", dir.file("a-directory.yaml"), "a directory"});
  ::mkfifo(dir.file("pipe.yaml").c_str(), 0600);
  paths.push_back({"named pipe", dir.file("pipe.yaml"), "a named pipe (FIFO)"});
  fs::create_symlink(dir.file("loop-b.yaml"), dir.file("loop-a.yaml"));
  fs::create_symlink(dir.file("loop-a.yaml"), dir.file("loop-b.yaml"));
  paths.push_back({"symlink loop", dir.file("loop-a.yaml"), "a symbolic link loop"});
  paths.push_back({"device", "/dev/null", "a character device"});
  dir.write("plain.txt", "text\n");
  paths.push_back({"under a file", dir.file("plain.txt") + "/inner.yaml",
                   "a component of the path is not a directory"});
  if (::geteuid() != 0) {
    dir.write("locked.yaml", "epochs: 1\n");
    fs::permissions(dir.file("locked.yaml"), fs::perms::none);
    paths.push_back({"unreadable", dir.file("locked.yaml"), "not readable: Permission denied"});
  }
  return paths;
}

}  // namespace lathe::test_support
