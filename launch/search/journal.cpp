#include "search/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "recipe/json_text.h"

namespace lathe::search {
namespace {

constexpr std::array<std::uint32_t, 256> crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

std::string hex8(std::uint32_t value) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(value));
  return text;
}

// A few bytes of a bad line as a message can show them: NUL bytes and other control
// characters escaped.
std::string excerpt(std::string_view bytes) {
  constexpr std::size_t kShown = 32;
  const std::string shown = recipe::json_string(std::string(bytes.substr(0, kShown)));
  return bytes.size() > kShown ? shown + "..." : shown;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Checks one line (without its '\n') as a record; the payload, or what is wrong with it.
struct ParsedLine {
  std::string payload;
  std::string problem;  // "" when the record is good
};

ParsedLine parse_record(std::string_view line) {
  const std::size_t space = line.substr(0, 20).find(' ');  // at most 19 digits: no scan of a long bad line
  const std::string_view length_text = line.substr(0, std::min(space, line.size()));
  std::uint64_t length = 0;
  const auto [end, error] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  const bool length_ok = space != std::string_view::npos && !length_text.empty() && error == std::errc() &&
                         end == length_text.data() + length_text.size();
  const bool crc_ok = length_ok && line.size() >= space + 10 &&
                      std::all_of(line.begin() + static_cast<std::ptrdiff_t>(space) + 1,
                                  line.begin() + static_cast<std::ptrdiff_t>(space) + 9, is_lower_hex) &&
                      line[space + 9] == ' ';
  if (!crc_ok) {
    return {"", "bad header: expected '<payload bytes> <crc32, 8 hex digits> ', found " + excerpt(line)};
  }
  const std::size_t payload_start = space + 10;
  const std::string_view payload = line.substr(payload_start);
  if (payload.size() != length) {
    return {"", "expected a " + std::to_string(length) + "-byte payload (from its header), found " +
                    std::to_string(payload.size()) + " bytes before the newline"};
  }
  const std::string stored_crc(line.substr(space + 1, 8));
  const std::string actual_crc = hex8(crc32_of(std::string(payload)));
  if (stored_crc != actual_crc) {
    return {"", "checksum mismatch: expected crc32 " + stored_crc + " (from its header), found " + actual_crc +
                    " for its " + std::to_string(length) + "-byte payload"};
  }
  return {std::string(payload), ""};
}

// Where a good record starts inside a bad `line`, or npos. A torn write leaves a prefix of
// one record, perhaps padded with zeros; a good record after the damage means the damage
// (zeros that swallowed a newline, say) hit earlier records instead.
std::size_t good_record_inside(std::string_view line) {
  for (std::size_t start = 1; start < line.size(); ++start) {
    const char before = line[start - 1];
    if ((before < '0' || before > '9') && parse_record(line.substr(start)).problem.empty()) return start;
  }
  return std::string_view::npos;
}

// The whole file, or nullopt when there is none.
std::optional<std::string> read_file_bytes(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0 && errno == ENOENT) return std::nullopt;
  LATHE_CHECK(descriptor >= 0, path, ": cannot open the journal to read it: ", std::strerror(errno));
  std::string bytes;
  char buffer[65536];
  while (true) {
    const ssize_t count = ::read(descriptor, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      const int read_errno = errno;
      ::close(descriptor);
      LATHE_CHECK(count == 0, path, ": cannot read the journal: ", std::strerror(read_errno));
      return bytes;
    }
    bytes.append(buffer, static_cast<std::size_t>(count));
  }
}

void sync_directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string directory = parent.empty() ? "." : parent.string();
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  LATHE_CHECK(descriptor >= 0, path, ": cannot open its directory ", directory,
              " to sync the new journal's name: ", std::strerror(errno));
  const int status = ::fsync(descriptor);
  const int sync_errno = errno;
  ::close(descriptor);
  LATHE_CHECK(status == 0, path, ": cannot sync its directory ", directory, ": ", std::strerror(sync_errno));
}

// Closes a descriptor unless released: a constructor that throws runs no destructor.
class DescriptorGuard {
 public:
  explicit DescriptorGuard(int descriptor) : descriptor_(descriptor) {}
  DescriptorGuard(const DescriptorGuard&) = delete;
  DescriptorGuard& operator=(const DescriptorGuard&) = delete;
  ~DescriptorGuard() {
    if (descriptor_ >= 0) ::close(descriptor_);
  }
  int release() { return std::exchange(descriptor_, -1); }

 private:
  int descriptor_;
};

}  // namespace

std::uint32_t crc32_of(const std::string& bytes) {
  static constexpr std::array<std::uint32_t, 256> table = crc_table();
  std::uint32_t c = 0xFFFFFFFFU;
  for (const char byte : bytes) c = table[(c ^ static_cast<unsigned char>(byte)) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

JournalContents read_journal(const std::string& path) {
  JournalContents contents;
  const std::optional<std::string> file = read_file_bytes(path);
  if (!file) return contents;
  const std::string_view bytes(*file);
  std::size_t start = 0;
  for (std::int64_t record = 1; start < bytes.size(); ++record) {
    const std::size_t newline = bytes.find('\n', start);
    if (newline == std::string_view::npos) {  // unterminated: the write never finished
      contents.torn_tail_dropped = true;
      break;
    }
    const std::string_view line = bytes.substr(start, newline - start);
    ParsedLine parsed = parse_record(line);
    if (!parsed.problem.empty()) {
      const bool last = newline + 1 == bytes.size();
      const std::size_t hidden = last ? good_record_inside(line) : std::string_view::npos;
      if (last && hidden == std::string_view::npos) {  // a torn write
        contents.torn_tail_dropped = true;
        break;
      }
      const std::string_view rest = bytes.substr(newline + 1);
      const std::string after =
          last ? "a complete record ends it (from byte " + std::to_string(start + hidden) +
                     "), so records were damaged before the last one"
               : std::to_string(std::count(rest.begin(), rest.end(), '\n') + (rest.back() == '\n' ? 0 : 1)) +
                     " more line(s) follow it";
      fail(path, ": record ", record, " (byte ", start, "): ", parsed.problem, "; ", after,
           ", so this is corruption inside the journal, not a torn last record; the journal was left untouched");
    }
    contents.payloads.push_back(std::move(parsed.payload));
    start = newline + 1;
  }
  contents.valid_bytes = static_cast<std::int64_t>(start);
  contents.torn_tail_bytes = static_cast<std::int64_t>(bytes.size() - start);
  return contents;
}

JournalWriter::JournalWriter(const std::string& path) : path_(path) {
  int descriptor = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  const bool created = descriptor >= 0;
  if (!created && errno == EEXIST) descriptor = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  LATHE_CHECK(descriptor >= 0, path, ": cannot open the journal for appending: ", std::strerror(errno));
  DescriptorGuard guard(descriptor);
  if (created) {
    sync_directory_of(path);
  } else {
    recovered_ = read_journal(path);
    if (recovered_.torn_tail_dropped) {
      LATHE_CHECK(::ftruncate(descriptor, recovered_.valid_bytes) == 0, path, ": cannot cut off its torn last ",
                  recovered_.torn_tail_bytes, " bytes: ", std::strerror(errno));
      LATHE_CHECK(::fsync(descriptor) == 0, path, ": cannot sync it after cutting off its torn last record: ",
                  std::strerror(errno));
    }
  }
  size_bytes_ = recovered_.valid_bytes;
  record_count_ = static_cast<std::int64_t>(recovered_.payloads.size());
  descriptor_ = guard.release();
}

JournalWriter::~JournalWriter() {
  if (descriptor_ < 0) return;
  if (unsynced_) (void)::fsync(descriptor_);  // best effort: a destructor cannot report
  ::close(descriptor_);
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)),
      descriptor_(std::exchange(other.descriptor_, -1)),
      size_bytes_(other.size_bytes_),
      record_count_(other.record_count_),
      broken_(std::move(other.broken_)),
      unsynced_(std::exchange(other.unsynced_, false)),
      recovered_(std::move(other.recovered_)) {}

JournalWriter& JournalWriter::operator=(JournalWriter&& other) noexcept {
  if (this != &other) {
    if (descriptor_ >= 0) ::close(descriptor_);
    path_ = std::move(other.path_);
    descriptor_ = std::exchange(other.descriptor_, -1);
    size_bytes_ = other.size_bytes_;
    record_count_ = other.record_count_;
    unsynced_ = std::exchange(other.unsynced_, false);
    broken_ = std::move(other.broken_);
    recovered_ = std::move(other.recovered_);
  }
  return *this;
}

void JournalWriter::append(const std::string& payload, Durability durability) {
  const std::int64_t record = record_count_ + 1;
  LATHE_CHECK(descriptor_ >= 0, path_, ": cannot append record ", record, ": the journal was moved from");
  LATHE_CHECK(broken_.empty(), path_, ": cannot append record ", record, ": ", broken_,
              "; open the journal again to go on from what it holds");
  const std::size_t newline = payload.find('\n');
  LATHE_CHECK(newline == std::string::npos, path_, ": record ", record,
              ": expected a payload of one line, found a newline at byte ", newline, " of ", payload.size());

  const std::string line =
      std::to_string(payload.size()) + " " + hex8(crc32_of(payload)) + " " + payload + "\n";
  ssize_t written = -1;
  do {
    written = ::write(descriptor_, line.data(), line.size());
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(line.size())) {
    const std::string why = written < 0 ? std::strerror(errno)
                                        : "only " + std::to_string(written) + " of " +
                                              std::to_string(line.size()) + " bytes were written (disk full?)";
    // A part written would be a torn record in the middle once the next one follows it.
    if (written > 0 && ::ftruncate(descriptor_, size_bytes_) != 0) {
      broken_ = "a partial write of record " + std::to_string(record) + " could not be cut off (" +
                std::strerror(errno) + ")";
    }
    fail(path_, ": cannot append record ", record, " (", line.size(), " bytes): ", why);
  }
  size_bytes_ += static_cast<std::int64_t>(line.size());
  record_count_ = record;
  unsynced_ = true;
  if (durability == Durability::synced) sync();
}

void JournalWriter::sync() {
  if (!unsynced_) return;
  if (::fsync(descriptor_) != 0) {
    const int sync_errno = errno;
    broken_ = "syncing up to record " + std::to_string(record_count_) + " failed (" + std::strerror(sync_errno) + ")";
    fail(path_, ": cannot sync up to record ", record_count_, " to disk: ", std::strerror(sync_errno));
  }
  unsynced_ = false;
}

}  // namespace lathe::search
