// Writes an HDF5 file so that readers see the old file or the complete new one, never
// half of it: the contents go to "<path>.tmp-<pid>" in the same directory, which is
// flushed, synced to disk and renamed over `path`. On failure the temporary file is
// removed and an existing `path` is left as it was. The directory must exist.
#pragma once

#include <hdf5.h>

#include <functional>
#include <string>

namespace lathe::io {

// `what` names the file's kind in messages ("checkpoint", "ablation table"); `write`
// fills the open file and throws lathe::Error naming `path` on failure.
void write_hdf5_atomically(const std::string& path, const char* what,
                           const std::function<void(hid_t file)>& write);

}  // namespace lathe::io
