// The one place that decides whether a path names a file Lathe may read, and whether an
// output path may be written. Every path argument of the command line and every path
// inside a config goes through here before anything opens it, so a named pipe (whose
// open blocks), a directory, a device, a symbolic link loop or an unreadable file is one
// clear message and never a hang or an uncaught std::filesystem exception.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lathe::io {

// Why `path` is not a readable regular file ("no such file", "a directory", "a named
// pipe (FIFO)", "a symbolic link loop", "not readable: Permission denied", ...), or
// nothing when it is one. Symbolic links are followed; nothing is opened that could block.
std::optional<std::string> input_file_problem(const std::string& path);

// True when nothing at all is at `path` (so a command may create it first).
bool path_is_missing(const std::string& path);

// Throws lathe::Error unless `path` is a readable regular file. `what` is what the file
// should have been ("a recipe YAML file"). Messages read
//   PATH: no such file (expected WHAT)           PATH: a directory, expected WHAT
// or, with `where` (the config file and key that named the path),
//   WHERE: no such file: PATH (expected WHAT)    WHERE: PATH is a directory, expected WHAT
void require_input_file(const std::string& path, const std::string& what,
                        const std::string& where = "");

// The whole text of a file that passed require_input_file.
std::string read_text_file(const std::string& path, const std::string& what,
                           const std::string& where = "");

// Throws lathe::Error unless `path` can become a new file: not a directory, not a pipe
// or device, not one of `inputs` (the same file by inode, through any link or spelling),
// and with a parent that is a directory or can be created. Checked before any work.
// `where` names what set the path ("lathe train: --output", "configs/x.yaml: output").
void require_output_file(const std::string& path, const std::vector<std::string>& inputs,
                         const std::string& where);

}  // namespace lathe::io
