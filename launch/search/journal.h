// The search's journal: an append-only file of records, written by ONE process (the
// coordinator) and read back to resume a search. Each record is one line,
//
//   <payload bytes> <crc32 of the payload, 8 lowercase hex digits> <payload>\n
//   25 6ced685d {"id": 0, "status": "ok"}
//
// where the payload is one line of text (the caller's JSON) and the checksum is zlib's
// CRC-32, so `zlib.crc32(payload)` in Python checks it too. A crash while appending can
// leave the last record incomplete (a torn tail); readers drop it and the writer cuts it
// off before it appends. A bad record with anything after it cannot come from a crash
// while appending: that is corruption, and reading stops with an error instead of
// guessing which records to keep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lathe::search {

struct JournalContents {
  std::vector<std::string> payloads;  // in the order they were appended
  bool torn_tail_dropped = false;
  std::int64_t torn_tail_bytes = 0;   // how many bytes at the end were dropped
  std::int64_t valid_bytes = 0;       // the length of the records kept
};

// The journal at `path`; never modifies the file. A MISSING file reads as an empty journal
// (a new search has none yet), not as an error; any other unreadable file throws. The
// torn tail is the last line when it fails to parse: no final newline, a short or long
// payload, a bad header or a checksum mismatch. A bad record followed by at least one more
// line throws lathe::Error naming the file, the record number (from 1), its byte offset,
// what was expected and what was found.
JournalContents read_journal(const std::string& path);

class JournalWriter {
 public:
  // Opens `path` for appending, creating it (and syncing its directory, so that the new
  // name survives a crash) when absent. An existing journal is read first: a torn tail is
  // truncated (and the truncation synced) so that no record is ever glued to a torn one;
  // a corrupt one throws, as read_journal does, and is left untouched.
  explicit JournalWriter(const std::string& path);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&& other) noexcept;

  // Appends one record with one write() and fsyncs the file before returning, so a record
  // appended is a record kept. `payload` must hold no '\n'. After a failed sync the state
  // on disk is unknown, so every later append throws: open the journal again to go on.
  // `written`: one write() but no fsync, for records that may be lost with the machine
  // (not with the process: the kernel keeps what was written); the next synced append
  // makes them durable too, in order.
  enum class Durability { synced, written };
  void append(const std::string& payload, Durability durability = Durability::synced);
  // fsyncs what was appended `written` (nothing to do when every append was synced).
  void sync();

  // What the file held when it was opened (empty for a new journal), the torn tail noted.
  [[nodiscard]] const JournalContents& recovered() const { return recovered_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  // Records in the file now: the recovered ones plus those appended.
  [[nodiscard]] std::int64_t record_count() const { return record_count_; }

 private:
  std::string path_;
  int descriptor_ = -1;
  std::int64_t size_bytes_ = 0;
  std::int64_t record_count_ = 0;
  std::string broken_;  // why appending is refused ("" while it is not)
  bool unsynced_ = false;  // records written since the last fsync
  JournalContents recovered_;
};

// zlib's CRC-32 (polynomial 0xEDB88320) of `bytes`.
std::uint32_t crc32_of(const std::string& bytes);

}  // namespace lathe::search
