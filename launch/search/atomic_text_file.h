// Text files that readers see whole or not at all (report.html, a campaign's summary and
// batch script): written to "<path>.tmp", synced to disk, then renamed over `path`, so a
// reader sees the old file or the new one and a failed write leaves an existing file as
// it was.
#pragma once

#include <string>

namespace lathe::search {

// `what` names the file in messages ("report", "summary"). Throws lathe::Error naming
// `path` when its directory is missing or the write, sync or rename fails.
void write_text_file_atomically(const std::string& path, const std::string& text, const std::string& what);

}  // namespace lathe::search
